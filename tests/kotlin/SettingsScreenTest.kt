// The settings screen drawn from Rust state on the JVM against the demo department, behind a
// small proxy that refuses `PUT /v1/preferences` while told to: an edit waits, is refused with
// the server's reason, is discarded; signing out with unsent actions asks first.
package dev.offduty.tests

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import dev.offduty.core.Channel
import dev.offduty.core.KeyVault
import dev.offduty.core.SessionVault
import dev.offduty.core.SignInPlatform
import dev.offduty.core.NoticeKind
import dev.offduty.core.PrefsSyncKind
import dev.offduty.core.SignOutPhase
import dev.offduty.core.Weekday
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.atomic.AtomicBoolean

class SettingsScreenTest {
    @Test
    fun aRefusedEditIsShownAndDiscardedAndSignOutAsksFirst() = runBlocking {
        val proxy = RefusingProxy(ScreensDemo.baseUrl, "PUT", "/v1/preferences",
            RefusingProxy.problem("quiet hours may not cover the call-out window", "quiet_hours[0]", "inconsistent"))
        proxy.refuse.set(true)
        try {
            val phone = ScreensDemo.phone("officer063@columbus.demo", proxy.url)
            val platform = SignInPlatform(SessionVault.ANDROID_KEYSTORE, KeyVault.STRONG_BOX, "JVM phone")
            val settings = phone.screens.settings(phone.app.storageNotice(), platform)
            var s = settings.state()
            assertEquals(7, s.quietDays.size)
            assertEquals(Weekday.MON, s.quietDays.first().day)
            assertEquals(PrefsSyncKind.SYNCED, s.prefs.kind)
            assertNull("a healthy database: no storage notice", s.storage)
            assertTrue(s.secrets.contains("StrongBox"))
            assertEquals(SignOutPhase.SIGNED_IN, s.signOut)

            settings.setQuietDay(Weekday.SAT, "23:00", "07:00")
            s = settings.state()
            val sat = s.quietDays.first { it.day == Weekday.SAT }
            assertTrue(sat.quiet)
            assertEquals("23:00", sat.start)
            assertEquals(PrefsSyncKind.PENDING, s.prefs.kind)

            // Refused by the server: the reason, the field, the discard button.
            settings.refresh()
            s = settings.state()
            assertEquals(PrefsSyncKind.REFUSED, s.prefs.kind)
            assertEquals("quiet_hours[0]", s.prefs.field)
            assertTrue(s.prefs.text.contains("quiet hours may not cover the call-out window"))
            assertNotNull(s.prefs.discardLabel)
            settings.discardEdit()
            s = settings.state()
            assertEquals(PrefsSyncKind.SYNCED, s.prefs.kind)
            assertFalse(s.quietDays.first { it.day == Weekday.SAT }.quiet)

            // A bad time: refused on the phone.
            settings.setQuietDay(Weekday.MON, "7pm", "06:00")
            assertEquals(NoticeKind.REFUSED, settings.state().notice!!.kind)
            settings.dismissNotice()

            // Accepted once the proxy lets it through.
            proxy.refuse.set(false)
            settings.setChannel(Channel.SMS, true)
            settings.refresh()
            s = settings.state()
            assertEquals(PrefsSyncKind.SYNCED, s.prefs.kind)
            assertTrue(s.channels.first { it.channel == Channel.SMS }.on)

            // An action waits: signing out asks first, then goes.
            phone.app.claim(ScreensDemo.eligibleFirstCome(phone.app).id)
            proxy.stop()
            settings.signOut()
            s = settings.state()
            assertEquals(SignOutPhase.CONFIRM_UNSENT, s.signOut)
            assertEquals(1u, s.unsent)
            assertNotNull(s.signOutWarning)
            settings.confirmSignOut()
            assertEquals(SignOutPhase.SIGNED_OUT, settings.state().signOut)
            assertNull(phone.app.session())
            phone.app.close()
        } finally {
            proxy.stop()
        }
    }
}
