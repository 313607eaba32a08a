// The core's DeviceClock: wall time, time since boot including sleep, and this boot's id.
package dev.offduty.android.platform

import android.os.SystemClock
import dev.offduty.core.DeviceClock
import java.io.File

class AndroidDeviceClock : DeviceClock {
    private val boot: String by lazy {
        runCatching { File("/proc/sys/kernel/random/boot_id").readText().trim() }.getOrNull()
            ?: "boot-" + (System.currentTimeMillis() - SystemClock.elapsedRealtime()) / 10_000
    }
    override fun nowMs(): Long = System.currentTimeMillis()
    override fun monotonicMs(): ULong = SystemClock.elapsedRealtime().toULong()
    override fun bootId(): String = boot
}
