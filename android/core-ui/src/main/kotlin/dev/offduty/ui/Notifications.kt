// What the app posts as system notifications: the core's inbox items (its sentences), each on
// the channel its kind belongs to, with the deep link a tap opens. The Android Notifier
// (android/app/.../platform/Notifier.kt) only builds NotificationCompat from these.
package dev.offduty.ui

import dev.offduty.core.NoticeTopic
import dev.offduty.core.noticeTopics
import dev.offduty.core.InboxState

/** The notification channels the app creates (Android 8+): one per topic of the core
 *  (`noticeTopics()`: its title, description and whether it is urgent), which also says which
 *  topic each inbox item is posted under. Names are shown in the system's settings. */
data class NoticeChannel(val id: String, val title: String, val description: String, val importance: Int) {
    companion object {
        fun id(topic: NoticeTopic): String = topic.name.lowercase()

        /** Every channel, in the core's order (importance 4 high for urgent topics, else 3). */
        val all: List<NoticeChannel> by lazy {
            noticeTopics().map { NoticeChannel(id(it.topic), it.title, it.description, if (it.urgent) 4 else 3) }
        }

        fun of(topic: NoticeTopic): NoticeChannel = all.first { it.id == id(topic) }
    }
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
            NotificationContent(it.id, it.id.hashCode(), NoticeChannel.of(it.topic), it.title, it.body,
                Destinations.link(it.route))
        }
    }
}
