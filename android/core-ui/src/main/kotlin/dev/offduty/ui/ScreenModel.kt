// The one bridge from a Rust screen object to Compose: the screen's state as a StateFlow, fed by
// its ScreenListener (decision 027). Plain Kotlin (no android.*): compiled and tested on the JVM
// by scripts/kotlin-test.sh; each Android ViewModel holds one of these.
package dev.offduty.ui

import dev.offduty.core.ConfirmDialog
import dev.offduty.core.ScreenListener
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean

/**
 * Holds what a screen draws. `read` is the screen's `state()`, `listen` its `setListener`.
 * The listener is told on the library's threads; it does not call back into the library there
 * (JNA would attach and detach those threads for it): it asks one JVM thread to read the state
 * again, once however often it is told meanwhile. Reading and publishing under one lock keeps
 * an older state from overwriting a newer one. Every intent reloads when it returns, so a caller
 * sees the state it produced at once.
 */
open class ScreenModel<S : Any>(
    private val read: () -> S,
    private val listen: (ScreenListener?) -> Unit,
) : AutoCloseable {
    private val lock = Any()
    private val mutable = MutableStateFlow(read())
    val state: StateFlow<S> = mutable.asStateFlow()

    private val queued = AtomicBoolean(false)
    private val listener = object : ScreenListener {
        override fun changed() {
            if (queued.compareAndSet(false, true)) readers.execute { queued.set(false); reload() }
        }
    }

    init {
        listen(listener)
    }

    /** Reads the screen's state again and publishes it. */
    fun reload() {
        synchronized(lock) { mutable.value = read() }
    }

    /** Runs a suspending intent, then publishes the state it left. */
    protected suspend fun <T> intent(block: suspend () -> T): T = block().also { reload() }

    /** Runs an intent, then publishes the state it left. */
    protected fun <T> act(block: () -> T): T = block().also { reload() }

    /** Stops listening (the ViewModel is cleared). */
    override fun close() = listen(null)

    companion object {
        /** The one thread that reads states after a change signal. */
        private val readers: Executor = Executors.newSingleThreadExecutor { r ->
            Thread(r, "offduty-screen-state").apply { isDaemon = true }
        }
    }
}

/** A confirmation the officer is being asked for: the core's dialog, and what a yes does. */
class PendingConfirm(val dialog: ConfirmDialog, internal val onYes: suspend (String?) -> Unit)

/**
 * Which confirmation dialog is open. The core says whether an action needs one (its `confirm`)
 * and with which texts; this only remembers that the officer tapped it, for the view to draw.
 */
class Confirmations {
    private val mutable = MutableStateFlow<PendingConfirm?>(null)
    val open: StateFlow<PendingConfirm?> = mutable.asStateFlow()

    /** A tap: runs `action` now when `dialog` is null, else opens the dialog. */
    suspend fun tap(dialog: ConfirmDialog?, action: suspend (String?) -> Unit) {
        if (dialog == null) action(null) else mutable.value = PendingConfirm(dialog, action)
    }

    /** The officer said yes (with the reason the dialog asked for, when it asked). */
    suspend fun confirm(reason: String? = null) {
        val pending = mutable.value ?: return
        mutable.value = null
        pending.onYes(reason?.takeIf { it.isNotBlank() })
    }

    /** The officer said no. */
    fun dismiss() {
        mutable.value = null
    }
}
