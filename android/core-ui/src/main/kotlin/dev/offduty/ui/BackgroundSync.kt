// The sync scheduling glue: when the platform runs work (WorkManager periodic work, expedited
// work when the network returns or a push arrives) this hands the core the event; the core's
// policy (decision 029) says whether to sync. Then the inbox's new items become notifications.
// The Android side (android/app/.../platform/SyncWork.kt) enqueues and runs the work only.
package dev.offduty.ui

import dev.offduty.core.AppEvent
import dev.offduty.core.OfficerScreens
import dev.offduty.core.PushPlatform
import dev.offduty.core.Route
import dev.offduty.core.SyncReason

/** Why background work runs; the name is the WorkManager unique-work name. */
enum class WorkKind(val uniqueName: String) {
    PERIODIC("offduty-periodic-sync"),
    NETWORK_BACK("offduty-network-sync"),
    PUSH("offduty-push-sync"),
}

/** What the platform's scheduler does (WorkManager on Android). */
interface SyncScheduler {
    /** Unique periodic work, every `minutes`, on a connected network; kept when already there. */
    fun schedulePeriodic(minutes: Long)
    /** Unique expedited one-time work (replaces one not yet started); `payload` for a push. */
    fun runExpedited(kind: WorkKind, payload: String?)
}

/** What a run of background work did. `retry` asks the scheduler to try again later (actions
 *  are waiting and the network was not there). */
data class WorkResult(
    val synced: Boolean,
    val reason: SyncReason,
    val route: Route?,
    val notifications: List<NotificationContent>,
    val retry: Boolean,
)

class BackgroundSync(
    private val screens: OfficerScreens,
    private val scheduler: SyncScheduler,
    private val posted: PostedStore,
) {
    companion object {
        /** WorkManager's shortest period; the core's policy syncs after 15 minutes (decision 029). */
        const val PERIOD_MINUTES = 15L
    }

    /** The app started (Application.onCreate). */
    fun onAppStart() = scheduler.schedulePeriodic(PERIOD_MINUTES)

    /** The connectivity callback saw a validated network. */
    fun onNetworkBack() = scheduler.runExpedited(WorkKind.NETWORK_BACK, null)

    /** FirebaseMessagingService.onMessageReceived, with the message's data as JSON. */
    fun onPush(payloadJson: String) = scheduler.runExpedited(WorkKind.PUSH, payloadJson)

    /** FirebaseMessagingService.onNewToken: the core keeps it and sends it during a sync. */
    suspend fun onToken(token: String) = screens.appEvent(AppEvent.PushToken(PushPlatform.FCM, token))

    /** The app came to the foreground (ProcessLifecycleOwner ON_START). */
    suspend fun onForeground() = screens.appEvent(AppEvent.Foreground)

    /** The body of every background work run (the Worker's doWork). */
    suspend fun work(kind: WorkKind, payload: String?): WorkResult {
        val event = when (kind) {
            WorkKind.PERIODIC -> AppEvent.Periodic
            WorkKind.NETWORK_BACK -> AppEvent.NetworkBack
            WorkKind.PUSH -> AppEvent.PushReceived(payload ?: "{}")
        }
        val outcome = screens.appEvent(event)
        val notes = if (outcome.synced) notifications() else emptyList()
        return WorkResult(outcome.synced, outcome.reason, outcome.route, notes, outcome.retrySoon)
    }

    /** The inbox's new items as notifications (after a sync fetched them). */
    fun notifications(): List<NotificationContent> {
        val inbox = screens.inbox()
        return Notifications.toPost(inbox.state(), posted)
    }
}
