// The inbox, deep links and app events on the JVM against the demo department: the push token
// reaches the server, a push after the coordinator calls a shift off syncs and routes to the
// job, the inbox lists it unread with its route, opening it marks it read.
package dev.offduty.tests

import dev.offduty.core.AppEvent
import dev.offduty.core.InboxKind
import dev.offduty.core.OutcomeKind
import dev.offduty.core.PushPlatform
import dev.offduty.core.Route
import dev.offduty.core.SyncReason
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class InboxScreenTest {
    @Test
    fun aPushLeadsThroughTheInboxToTheJob() = runBlocking {
        val phone = ScreensDemo.phone("officer064@columbus.demo")
        val screens = phone.screens

        val token = screens.appEvent(AppEvent.PushToken(PushPlatform.FCM, "kotlin-fcm-token"))
        assertTrue(token.synced)
        assertEquals(SyncReason.NEW_PUSH_TOKEN, token.reason)
        val again = screens.appEvent(AppEvent.PushToken(PushPlatform.FCM, "kotlin-fcm-token"))
        assertFalse(again.synced)
        assertEquals(SyncReason.FRESH, screens.appEvent(AppEvent.Foreground).reason)

        // A shift, called off by the department; the push arrives.
        val job = ScreensDemo.eligibleFirstCome(phone.app).id
        phone.app.claim(job)
        assertEquals(OutcomeKind.AWARDED, phone.app.syncNow().decided.single().outcome)
        val coord = ScreensDemo.coordinatorToken()
        val (s, body) = ScreensDemo.call("POST", "/v1/jobs/$job/cancel", coord, null)
        assertEquals(body, 200, s)
        val inbox = phone.screens.inbox()
        val heard = CountingListener()
        inbox.setListener(heard)
        val payload = """{"kind":"job_cancelled","job_id":"$job","title":"x"}"""
        val pushed = screens.appEvent(AppEvent.PushReceived(payload))
        assertTrue(pushed.synced)
        assertEquals(SyncReason.PUSH_ARRIVED, pushed.reason)
        assertEquals(Route.Job(job), pushed.route)
        assertEquals(Route.Job(job), screens.onPush(payload))
        assertTrue(heard.count() >= 1)

        var state = inbox.state()
        assertEquals(1u, state.unread)
        assertNotNull(state.markAllLabel)
        val item = state.items.first()
        assertEquals(InboxKind.JOB_CANCELLED, item.kind)
        assertTrue(item.unread)
        assertEquals(Route.Job(job), item.route)

        // Opening it: read; the route opens on a fresh cache (no sync needed).
        val route = inbox.open(item.id)
        assertEquals(Route.Job(job), route)
        state = inbox.state()
        assertEquals(0u, state.unread)
        assertNull(state.markAllLabel)
        val decision = screens.open(route)
        assertFalse(decision.sync)
        assertEquals(route, screens.routeForLink("offduty://job/$job"))
        assertEquals(Route.Clock(null), screens.routeForLink("offduty://clock"))
        assertEquals(Route.Board, screens.routeForLink("https://example.com/nowhere"))
        inbox.setListener(null)
        phone.app.close()
    }
}
