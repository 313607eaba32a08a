// The sign-in screen on the JVM: Kotlin draws the form Rust decides — filled from the
// department's link, errors per field (typed), the server's sentence for a wrong password,
// where secrets are kept — and signs in, against a real demo server. Run by scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.InvalidCode
import dev.offduty.core.KeyVault
import dev.offduty.core.OfficerScreens
import dev.offduty.core.SessionVault
import dev.offduty.core.SignInField
import dev.offduty.core.SignInPlatform
import dev.offduty.core.SyncKind
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

class SignInScreenTest {
    companion object {
        lateinit var demo: DemoDepartment

        @BeforeClass @JvmStatic
        fun start() { demo = DemoDepartment() }

        @AfterClass @JvmStatic
        fun stop() { demo.stop() }
    }

    @Test
    fun theDepartmentLinkFillsTheFormAndTheOfficerSignsIn() = runBlocking {
        // The app was built for another department's server; the link names this one.
        val app = demo.app("https://detail.dublin.example")
        val screens = OfficerScreens(app)
        val form = screens.signIn()
        val heard = CountingListener()
        form.setListener(heard)
        assertEquals("https://detail.dublin.example", form.state().server)
        assertNull(form.state().secrets)

        form.setPlatform(SignInPlatform(SessionVault.ANDROID_KEYSTORE, KeyVault.STRONG_BOX, "JVM phone"))
        val secrets = form.state().secrets
        assertNotNull(secrets)
        assertTrue(secrets!!, secrets.contains("StrongBox"))

        val email = "officer031@columbus.demo"
        form.openLink("offduty://sign-in?server=${DemoDepartment.encode(demo.baseUrl)}&email=${DemoDepartment.encode(email)}")
        var s = form.state()
        assertTrue(s.errors.isEmpty())
        assertEquals(demo.baseUrl, s.server)
        assertEquals(email, s.email)
        assertFalse("no password yet", s.canSubmit)

        form.setPassword("not the password")
        assertTrue(form.state().passwordEntered)
        form.submit()
        s = form.state()
        assertEquals("wrong e-mail or password", s.formError)
        assertFalse(s.passwordEntered)
        assertNull(s.signedIn)
        assertEquals(demo.baseUrl, app.serverUrl())

        form.setPassword(DemoDepartment.PASSWORD)
        form.submit()
        s = form.state()
        assertNotNull(s.signedIn)
        assertEquals(email, s.signedIn!!.email)
        assertEquals(SyncKind.SYNCED, s.sync.kind)
        assertFalse(s.busy)
        assertTrue("told while signing in", heard.count() >= 3)
        app.logout(true)
    }

    @Test
    fun fieldErrorsAreTypedAndTheServerMustBeReachable() = runBlocking {
        val form = OfficerScreens(demo.app()).signIn()
        form.setEmail("officer032@columbus.demo")
        form.setPassword(DemoDepartment.PASSWORD)

        form.setServer("  ")
        form.submit()
        var e = form.state().errors.single()
        assertEquals(SignInField.SERVER, e.field)
        assertEquals(InvalidCode.REQUIRED, e.code)

        form.setServer("http://detail.columbus.example")
        form.submit()
        e = form.state().errors.single()
        assertEquals(SignInField.SERVER, e.field)
        assertEquals(InvalidCode.BAD_FORMAT, e.code)

        form.setServer(demo.baseUrl)
        form.setEmail("")
        form.submit()
        e = form.state().errors.single()
        assertEquals(SignInField.EMAIL, e.field)
        assertEquals(InvalidCode.REQUIRED, e.code)

        form.openLink("mailto:someone@columbus.demo")
        assertEquals(SignInField.SERVER, form.state().errors.single().field)
    }
}
