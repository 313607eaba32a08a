// Shared by the screen tests (ClockScreenTest, EarningsScreenTest, SettingsScreenTest,
// InboxScreenTest): one demo department (a real offduty-server process on SQLite) for the whole
// JVM run, a phone signed in as a given demo officer, the coordinator's HTTP calls, and a shift
// the officer holds that starts now. Run by scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.AwardRuleKind
import dev.offduty.core.BoardFilter
import dev.offduty.core.GeoPoint
import dev.offduty.core.LocationFix
import dev.offduty.core.OfficerApp
import dev.offduty.core.OfficerScreens
import dev.offduty.core.OutcomeKind
import dev.offduty.core.BoardSort
import dev.offduty.core.StandingKind
import org.junit.Assert.assertEquals
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.concurrent.TimeUnit

/** A phone: the app, its screens and its clock. */
class TestPhone(val app: OfficerApp, val screens: OfficerScreens, val clock: ShiftedClock)

object ScreensDemo {
    const val PASSWORD = "offduty-demo-2026"
    /** The demo server (started on first use, stopped when the JVM exits). */
    val department: DemoDepartment by lazy {
        DemoDepartment().also { d -> Runtime.getRuntime().addShutdownHook(Thread { d.stop() }) }
    }

    val baseUrl: String get() = department.baseUrl

    /** A new phone (its own database) signed in as `email`, reaching the server at `url`. */
    suspend fun phone(email: String, url: String = baseUrl): TestPhone {
        val clock = ShiftedClock()
        val app = OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
            url, JavaSigner(), MemorySecrets(), clock)
        app.login(email, PASSWORD, "JVM screens test")
        return TestPhone(app, OfficerScreens(app), clock)
    }

    fun call(method: String, path: String, token: String?, body: String?): Pair<Int, String> =
        department.call(method, path, token, body)

    fun field(json: String, name: String): String = DemoDepartment.field(json, name)

    fun coordinatorToken(): String = department.coordinatorToken()

    /** The id of the coordinator's view of the timecard of `jobId`. */
    fun timecardOf(token: String, jobId: String): String {
        val (s, cards) = call("GET", "/v1/timecards?from=2000-01-01T00:00:00Z", token, null)
        assertEquals(200, s)
        return Regex("\"id\"\\s*:\\s*\"([^\"]+)\"[^{}]*\"job_id\"\\s*:\\s*\"$jobId\"").find(cards)
            ?.groupValues?.get(1) ?: error("no timecard for $jobId in $cards")
    }

    /** Moves a job in time in the server's SQLite file (decision 012). */
    fun moveJob(jobId: String, startsAgoMinutes: Long, hours: Long) =
        department.moveJob(jobId, startsAgoMinutes, hours)

    /** A first-come job with a free slot the core says this officer may work (chosen by the
     *  core's enums, never by English), at least a day away. */
    fun eligibleFirstCome(app: OfficerApp) = app.jobs(BoardFilter(near = null, onlyEligible = true,
        sort = BoardSort.SOONEST, from = Instant.now().plus(Duration.ofDays(1)))).first {
        it.awardRuleKind == AwardRuleKind.FIRST_COME && it.signupOpen &&
            it.slotsFilled < it.slots && it.standing.kind == StandingKind.NONE
    }

    /** Claims an eligible job and moves it to have started ten minutes ago; returns its id. */
    suspend fun holdShiftNow(app: OfficerApp): String {
        val id = eligibleFirstCome(app).id
        app.claim(id)
        assertEquals(OutcomeKind.AWARDED, app.syncNow().decided.single().outcome)
        moveJob(id, startsAgoMinutes = 10, hours = 4)
        app.syncNow()
        return id
    }

    /** A fix at `p` taken now by `clock`. */
    fun fixAt(p: GeoPoint, clock: ShiftedClock, accuracy: Double = 8.0, mock: Boolean = false) =
        LocationFix(p.lat, p.lon, accuracy, Instant.ofEpochMilli(clock.nowMs()), "gps", mock)
}
