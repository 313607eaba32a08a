// Posts what dev.offduty.ui.Notifications decided: creates the channels, builds the
// notification, and makes its tap open the core's deep link in MainActivity.
package dev.offduty.android.platform

import dev.offduty.core.NoticeTopic
import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.ForegroundInfo
import dev.offduty.android.MainActivity
import dev.offduty.ui.NoticeChannel
import dev.offduty.ui.NotificationContent
import dev.offduty.ui.appLabels

class Notifier(private val context: Context) {
    fun createChannels() {
        val nm = context.getSystemService(NotificationManager::class.java)
        nm.createNotificationChannels(NoticeChannel.all.map {
            NotificationChannel(it.id, it.title, it.importance).apply { description = it.description }
        })
    }

    fun post(n: NotificationContent) {
        if (ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) !=
            PackageManager.PERMISSION_GRANTED && android.os.Build.VERSION.SDK_INT >= 33) return
        val tap = PendingIntent.getActivity(context, n.id,
            Intent(Intent.ACTION_VIEW, Uri.parse(n.link), context, MainActivity::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
        NotificationManagerCompat.from(context).notify(n.id,
            NotificationCompat.Builder(context, n.channel.id)
                .setSmallIcon(android.R.drawable.stat_notify_sync)
                .setContentTitle(n.title)
                .setContentText(n.body)
                .setStyle(NotificationCompat.BigTextStyle().bigText(n.body))
                .setContentIntent(tap)
                .setAutoCancel(true)
                .build())
    }

    /** Expedited work below Android 12 runs as a foreground service with this notification. */
    fun syncForegroundInfo() = ForegroundInfo(SYNC_ID,
        NotificationCompat.Builder(context, NoticeChannel.id(NoticeTopic.SHIFT_CHANGES))
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(appLabels.syncing)
            .setSilent(true)
            .build())

    companion object {
        const val SYNC_ID = 1
    }
}
