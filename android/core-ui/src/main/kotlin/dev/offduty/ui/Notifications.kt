// What the app posts as system notifications: the core's inbox items (its sentences), each on
// the channel its kind belongs to, with the deep link a tap opens. The Android Notifier
// (android/app/.../platform/Notifier.kt) only builds NotificationCompat from these.
package dev.offduty.ui

import dev.offduty.core.InboxKind
import dev.offduty.core.InboxState

/** The notification channels the app creates (Android 8+), with their importance (3 default,
 *  4 high). Names are shown in the system's settings. */
enum class NoticeChannel(val id: String, val title: String, val description: String, val importance: Int) {
    NEW_JOBS("new_jobs", "New jobs", "Jobs posted that you can sign up for", 3),
    WAITLIST("waitlist", "Awards and waitlist", "A slot is yours, or your place in line", 4),
    SHIFT_REMINDERS("shift_reminders", "Shift reminders", "Before a shift starts, and clocking in and out", 4),
    SHIFT_CHANGES("shift_changes", "Changes to your shifts", "Cancelled or edited jobs, offered slots taken, timecards", 4),
}

/** One notification to post. `id` is stable per inbox item, so posting twice replaces it. */
data class NotificationContent(
    val itemId: String,
    val id: Int,
    val channel: NoticeChannel,
    val title: String,
    val body: String,
    val link: String,
)

/** Which inbox items were already posted (the app keeps them in its preferences). */
interface PostedStore {
    fun primed(): Boolean
    fun posted(): Set<String>
    fun record(ids: Collection<String>)
}

class MemoryPostedStore : PostedStore {
    private val ids = mutableSetOf<String>()
    private var primed = false
    @Synchronized override fun primed() = primed
    @Synchronized override fun posted(): Set<String> = ids.toSet()
    @Synchronized override fun record(ids: Collection<String>) { primed = true; this.ids.addAll(ids) }
}

object Notifications {
    fun channel(kind: InboxKind): NoticeChannel = when (kind) {
        InboxKind.AWARDED, InboxKind.WAITLISTED -> NoticeChannel.WAITLIST
        InboxKind.SLOT_TAKEN_OVER, InboxKind.JOB_CANCELLED, InboxKind.JOB_CHANGED,
        InboxKind.HOLDER_NO_LONGER_ELIGIBLE, InboxKind.TIMECARD_REJECTED -> NoticeChannel.SHIFT_CHANGES
        InboxKind.OTHER -> NoticeChannel.NEW_JOBS
    }

    /**
     * The unread items not yet posted, oldest first, and records them as posted. The first time
     * (a fresh sign-in), everything already in the inbox is recorded without posting: the inbox
     * shows it, the shade is not flooded with the past.
     */
    fun toPost(inbox: InboxState, store: PostedStore): List<NotificationContent> {
        if (!store.primed()) {
            store.record(inbox.items.map { it.id })
            return emptyList()
        }
        val done = store.posted()
        val fresh = inbox.items.filter { it.unread && it.id !in done }.sortedBy { it.createdAt }
        store.record(fresh.map { it.id })
        return fresh.map {
            NotificationContent(it.id, it.id.hashCode(), channel(it.kind), it.title, it.body,
                Destinations.link(it.route))
        }
    }
}
