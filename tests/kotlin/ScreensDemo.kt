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
    val http: HttpClient = HttpClient.newHttpClient()
    private val dir: File = Files.createTempDirectory("offduty-kotlin-screens").toFile()
    private val dbFile = File(dir, "server.db")

    /** The demo server's base URL (started on first use, stopped when the JVM exits). */
    val baseUrl: String by lazy {
        val bin = System.getenv("OFFDUTY_SERVER_BIN") ?: "target/debug/offduty-server"
        val server = ProcessBuilder(bin, "serve", "--demo", "--listen", "127.0.0.1:0",
            "--database-url", "sqlite://${dbFile.absolutePath}")
            .redirectError(File(dir, "server.log"))
            .start()
        Runtime.getRuntime().addShutdownHook(Thread {
            server.destroy()
            server.waitFor(10, TimeUnit.SECONDS)
        })
        val out = server.inputStream.bufferedReader()
        var url: String? = null
        val deadline = System.currentTimeMillis() + 60_000
        while (url == null && System.currentTimeMillis() < deadline) {
            val line = out.readLine() ?: break
            url = Regex("listening on (http://\\S+)").find(line)?.groupValues?.get(1)
        }
        Thread { out.forEachLine { } }.apply { isDaemon = true; start() }
        url ?: error("server did not start; see $dir/server.log")
    }

    /** A new phone (its own database) signed in as `email`, reaching the server at `url`. */
    suspend fun phone(email: String, url: String = baseUrl): TestPhone {
        val clock = ShiftedClock()
        val app = OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
            url, JavaSigner(), MemorySecrets(), clock)
        app.login(email, PASSWORD, "JVM screens test")
        return TestPhone(app, OfficerScreens(app), clock)
    }

    fun call(method: String, path: String, token: String?, body: String?): Pair<Int, String> {
        val b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        if (token != null) b.header("Authorization", "Bearer $token")
        if (body != null) b.header("Content-Type", "application/json")
        b.method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
        val r = http.send(b.build(), HttpResponse.BodyHandlers.ofString())
        return r.statusCode() to r.body()
    }

    fun field(json: String, name: String): String =
        Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)
            ?: error("no \"$name\" in $json")

    fun coordinatorToken(): String {
        val (s, body) = call("POST", "/v1/auth/login", null,
            """{"email":"coordinator@columbus.demo","password":"$PASSWORD"}""")
        assertEquals(body, 200, s)
        return field(body, "access_token")
    }

    /** The id of the coordinator's view of the timecard of `jobId`. */
    fun timecardOf(token: String, jobId: String): String {
        val (s, cards) = call("GET", "/v1/timecards?from=2000-01-01T00:00:00Z", token, null)
        assertEquals(200, s)
        return Regex("\"id\"\\s*:\\s*\"([^\"]+)\"[^{}]*\"job_id\"\\s*:\\s*\"$jobId\"").find(cards)
            ?.groupValues?.get(1) ?: error("no timecard for $jobId in $cards")
    }

    /** Test fixture: moves a job in time in the server's SQLite file, the way the server
     *  changes a job (new version from the department's change sequence, a change-log entry). */
    fun moveJob(jobId: String, startsAgoMinutes: Long, hours: Long) {
        val now = System.currentTimeMillis() * 1000
        val start = now - startsAgoMinutes * 60_000_000
        val end = start + hours * 3_600_000_000
        val script = listOf(
            "import sqlite3,sys",
            "c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA busy_timeout=10000')",
            "d=c.execute('SELECT department_id FROM jobs WHERE id=?',(sys.argv[4],)).fetchone()[0]",
            "seq=c.execute('UPDATE departments SET change_seq=change_seq+1 WHERE id=? RETURNING change_seq',(d,)).fetchone()[0]",
            "c.execute('UPDATE jobs SET starts_us=?, ends_us=?, version=? WHERE id=?',(int(sys.argv[2]),int(sys.argv[3]),seq,sys.argv[4]))",
            "c.execute(\"INSERT INTO change_log (department_id, seq, entity, entity_id, audience) VALUES (?, ?, 'job', ?, NULL)\",(d,seq,sys.argv[4]))",
            "c.commit()",
        ).joinToString("\n")
        val p = ProcessBuilder("python3", "-c", script, dbFile.absolutePath, "$start", "$end", jobId).inheritIO().start()
        assertEquals(0, p.waitFor())
    }

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
