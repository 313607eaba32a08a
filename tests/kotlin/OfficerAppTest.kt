// The officer app's Kotlin surface, on the JVM, against the real Rust library and a real
// offduty-server process (demo department on SQLite). Run by scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.ActionKind
import dev.offduty.core.ApiException
import dev.offduty.core.AwardRuleKind
import dev.offduty.core.BoardFilter
import dev.offduty.core.BoardFilters
import dev.offduty.core.Eligibility
import dev.offduty.core.OfficerScreens
import dev.offduty.core.ScreenListener
import dev.offduty.core.SyncKind
import dev.offduty.core.Confirmation
import dev.offduty.core.Channels
import dev.offduty.core.DeviceClock
import dev.offduty.core.GeoPoint
import dev.offduty.core.LocationFix
import dev.offduty.core.OfficerApp
import dev.offduty.core.OutcomeKind
import dev.offduty.core.PlatformException
import dev.offduty.core.Preferences
import dev.offduty.core.PunchKind
import dev.offduty.core.PunchVerdict
import dev.offduty.core.QuietWindow
import dev.offduty.core.RejectCode
import dev.offduty.core.SecretStore
import dev.offduty.core.Signer
import dev.offduty.core.BoardSort
import dev.offduty.core.StandingKind
import dev.offduty.core.SyncChange
import dev.offduty.core.SyncObserver
import dev.offduty.core.SyncPhase
import dev.offduty.core.SyncProgress
import dev.offduty.core.JobCard
import dev.offduty.core.TimecardStatus
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import java.io.File
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.spec.ECGenParameterSpec
import java.time.Duration
import java.time.Instant
import java.util.Base64
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit

/** A P-256 key from java.security, as an Android Keystore signer would use (SHA256withECDSA). */
class JavaSigner : Signer {
    private val pair: KeyPair = KeyPairGenerator.getInstance("EC").run {
        initialize(ECGenParameterSpec("secp256r1"))
        generateKeyPair()
    }
    var failing = false

    override fun publicKey(): String = Base64.getEncoder().encodeToString(pair.public.encoded)

    override fun sign(message: ByteArray): ByteArray {
        if (failing) throw PlatformException.Failed("keystore locked")
        return java.security.Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
    }
}

/** Tokens in memory (a phone would use EncryptedSharedPreferences / the Keychain). */
class MemorySecrets : SecretStore {
    val map = ConcurrentHashMap<String, String>()
    override fun get(name: String): String? = map[name]
    override fun set(name: String, value: String) { map[name] = value }
    override fun delete(name: String) { map.remove(name) }
}

/** The device clocks, shifted back by `offsetMs` (a punch made earlier, offline). */
class ShiftedClock : DeviceClock {
    @Volatile var offsetMs = 0L
    private val bootBase = 100_000_000_000L // far above any offset: monotonic time never wraps
    override fun nowMs(): Long = System.currentTimeMillis() - offsetMs
    override fun monotonicMs(): ULong = (bootBase + System.nanoTime() / 1_000_000 - offsetMs).toULong()
    override fun bootId(): String = "kotlin-jvm-boot"
}

/** Records what the core reports, and on which thread. */
class RecordingObserver : SyncObserver {
    val phases: MutableList<SyncPhase> = Collections.synchronizedList(mutableListOf())
    val threads: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
    val changes: MutableList<SyncChange> = Collections.synchronizedList(mutableListOf())
    override fun onProgress(progress: SyncProgress) {
        phases.add(progress.phase)
        threads.add(Thread.currentThread().name)
    }
    override fun onChange(change: SyncChange) { changes.add(change) }
}

class OfficerAppTest {
    companion object {
        const val PASSWORD = "offduty-demo-2026"
        val STADIUM = GeoPoint(40.0017, -83.0197)
        lateinit var department: DemoDepartment
        val http: HttpClient = HttpClient.newHttpClient()
        lateinit var baseUrl: String
        lateinit var dbFile: File

        @BeforeClass @JvmStatic
        fun startServer() {
            department = DemoDepartment()
            baseUrl = department.baseUrl
            dbFile = department.dbFile
        }

        @AfterClass @JvmStatic
        fun stopServer() = department.stop()

        fun call(method: String, path: String, token: String?, body: String?): Pair<Int, String> =
            department.call(method, path, token, body)

        fun field(json: String, name: String): String = DemoDepartment.field(json, name)

        fun coordinatorToken(): String = department.coordinatorToken()

        /** Posts a first-come job at the stadium starting in `startsInMinutes`. */
        fun postJob(token: String, startsInMinutes: Long, hours: Long = 4): String {
            val start = Instant.now().plusSeconds(startsInMinutes * 60)
            return postJobAt(token, start, start.plusSeconds(hours * 3600))
        }

        /** Posts a first-come job at the stadium from `start` to `end`. */
        fun postJobAt(token: String, start: Instant, end: Instant): String {
            val (s, body) = call("POST", "/v1/jobs", token, """
                {"title":"Kotlin test detail","customer_name":"Ohio State Athletics",
                 "site_name":"Ohio Stadium, Gate 10","address":"411 Woody Hayes Dr, Columbus, OH 43210",
                 "location":{"lat":40.0017,"lon":-83.0197},
                 "geofence":{"type":"circle","center":{"lat":40.0017,"lon":-83.0197},"radius_m":300.0},
                 "starts_at":"$start","ends_at":"$end","slots":3,"job_type":"traffic",
                 "award_rule":{"type":"first_come"}}""".trimIndent())
            assertEquals(body, 201, s)
            return field(body, "id")
        }

        /** Moves a job in time in the server's SQLite file (decision 012). */
        fun moveJob(jobId: String, startsAgoMinutes: Long, hours: Long) =
            department.moveJob(jobId, startsAgoMinutes, hours)

        fun fixAt(p: GeoPoint, clock: ShiftedClock, accuracy: Double = 8.0, mock: Boolean = false) =
            LocationFix(p.lat, p.lon, accuracy, Instant.ofEpochMilli(clock.nowMs()), "gps", mock)
    }

    private fun newApp(signer: Signer = JavaSigner(), clock: ShiftedClock = ShiftedClock()): OfficerApp =
        OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
            baseUrl, signer, MemorySecrets(), clock)

    private fun board(app: OfficerApp, onlyEligible: Boolean = true, sort: BoardSort = BoardSort.SOONEST) =
        app.jobs(BoardFilter(near = STADIUM, onlyEligible = onlyEligible, sort = sort,
            from = Instant.now().plus(Duration.ofDays(3))))

    /** The next first-come job with a free slot this officer may claim (demo officers have
     *  on-duty shifts: the core's eligibility says which slots are free, at any time of day). */
    private fun nextFirstCome(app: OfficerApp) = firstComeIn(board(app))

    /** The same from a day ahead: the wedge test needs two such jobs, and three days ahead the
     *  demo's first-come jobs can run short (at the department's midnight, say). */
    private fun soonFirstCome(app: OfficerApp) = firstComeIn(app.jobs(BoardFilter(near = STADIUM,
        onlyEligible = true, sort = BoardSort.SOONEST, from = Instant.now().plus(Duration.ofDays(1)))))

    private fun firstComeIn(jobs: List<JobCard>) = jobs.first {
        it.awardRuleKind == AwardRuleKind.FIRST_COME && it.signupOpen &&
            it.slotsFilled < it.slots && it.standing.kind == StandingKind.NONE
    }

    @Test
    fun wrongPasswordIsAKotlinException() = runBlocking {
        val app = newApp()
        try {
            app.login("officer001@columbus.demo", "not the password", "JVM")
            fail("login with a wrong password succeeded")
        } catch (e: ApiException.Unauthorized) {
            assertTrue(e.detail, e.detail.contains("wrong e-mail or password"))
        }
        assertNull(app.session())
        try {
            app.claim("not-an-id")
            fail("claim with a bad id succeeded")
        } catch (e: ApiException.Invalid) {
            assertEquals("job_id", e.field)
        }
    }

    @Test
    fun anOfficersDayEndToEnd() = runBlocking {
        val signer = JavaSigner()
        val clock = ShiftedClock()
        val app = newApp(signer, clock)
        assertFalse(app.storageNotice().rebuilt)
        assertEquals(baseUrl, app.serverUrl())
        val observer = RecordingObserver()
        app.setObserver(observer)

        // Sign in (registers the Kotlin signer's key) and pull the board.
        val session = app.login("officer002@columbus.demo", PASSWORD, "JVM test phone")
        assertEquals("officer002@columbus.demo", session.email)
        assertNotNull(session.deviceId)
        assertEquals(session, app.session())
        assertTrue("observer saw the sync", observer.phases.contains(SyncPhase.DONE))
        assertFalse("callbacks come off the caller's thread",
            observer.threads.contains(Thread.currentThread().name))
        assertNotNull(app.lastSync())

        // The board, by distance from the stadium.
        val jobs = board(app, onlyEligible = false, sort = BoardSort.NEAREST)
        assertTrue("the demo board has jobs", jobs.size >= 10)
        val distances = jobs.mapNotNull { it.distanceM }
        assertEquals(distances.sorted(), distances)
        val first = app.job(jobs[0].id, STADIUM)
        assertEquals(jobs[0].title, first.title)
        assertTrue(first.awardRule.isNotEmpty())

        // Claim a first-come job offline-first: queued, then decided by the server. Jobs are
        // chosen by the core's enums, never by their English sentences.
        fun nextFirstCome() = nextFirstCome(app)
        val mine = nextFirstCome()
        val queued = app.claim(mine.id)
        assertEquals(ActionKind.CLAIM, queued.kind)
        assertEquals(1, app.pendingActions().size)
        val waiting = app.job(mine.id, null).standing
        assertEquals(StandingKind.PENDING, waiting.kind)
        assertEquals(ActionKind.CLAIM, waiting.pending)
        val report = app.syncNow()
        assertEquals(OutcomeKind.AWARDED, report.decided.single().outcome)
        assertEquals(StandingKind.HOLDING, app.job(mine.id, null).standing.kind)
        assertTrue(app.job(mine.id, null).standing.holdsSlot)
        assertTrue(app.myShifts(false).any { it.id == mine.id })
        try {
            app.claim(mine.id)
            fail("a second claim was accepted")
        } catch (e: ApiException.Rejected) {
            assertEquals(RejectCode.ALREADY_CLAIMED, e.code)
        }

        // Cancel one (free window) and offer another on the board. Each claim is queued before
        // the next is chosen, so the board already counts it (no overlapping picks).
        val toCancel = nextFirstCome().also { app.claim(it.id) }
        val toOffer = nextFirstCome().also { app.claim(it.id) }
        assertEquals(listOf(OutcomeKind.AWARDED, OutcomeKind.AWARDED), app.syncNow().decided.map { it.outcome })
        val terms = app.cancelTerms(toCancel.id)
        assertEquals(dev.offduty.core.CancelWindow.FREE, terms.window)
        assertTrue(terms.text.isNotEmpty())
        assertEquals(ActionKind.CANCEL, app.cancel(toCancel.id, "family emergency").kind)
        val offer = app.transfer(toOffer.id, null)
        assertNotNull(offer.note)
        val decided = app.syncNow().decided.map { it.outcome }
        assertEquals(listOf(OutcomeKind.CANCELLED, OutcomeKind.TRANSFERRED), decided)
        assertEquals(StandingKind.OFFERED, app.job(toOffer.id, null).standing.kind)

        // A ranked job: ask, then leave the line.
        val ranked = board(app).firstOrNull {
            it.awardRuleKind != AwardRuleKind.FIRST_COME && it.signupOpen && it.standing.kind == StandingKind.NONE
        }
        if (ranked != null) {
            app.claim(ranked.id)
            assertEquals(OutcomeKind.REQUESTED, app.syncNow().decided.single().outcome)
            assertEquals(StandingKind.REQUESTED, app.job(ranked.id, null).standing.kind)
            app.withdraw(ranked.id)
            assertEquals(OutcomeKind.WITHDRAWN, app.syncNow().decided.single().outcome)
        } else {
            // Every ranked demo job closed: withdrawing without a place is refused.
            try { app.withdraw(mine.id); fail("withdraw accepted") } catch (e: ApiException.Rejected) {}
        }

        // Clock in and out of a shift that ran the last four hours, punched offline. The job is
        // posted in the slot the officer just freed (so they are eligible), claimed, then moved
        // to the past by the test fixture.
        val coord = coordinatorToken()
        val shift = postJobAt(coord, toCancel.startsAt, toCancel.endsAt)
        app.syncNow()
        app.claim(shift)
        assertEquals(OutcomeKind.AWARDED, app.syncNow().decided.single().outcome)
        moveJob(shift, startsAgoMinutes = 245, hours = 4)
        app.syncNow()
        clock.offsetMs = 240 * 60_000L
        val preview = app.previewPunch(shift, PunchKind.IN, fixAt(STADIUM, clock))
        assertEquals(preview.summary, PunchVerdict.VERIFIED, preview.verdict)
        val far = app.previewPunch(shift, PunchKind.IN, fixAt(GeoPoint(40.0060, -83.0197), clock))
        assertEquals(PunchVerdict.REJECTED, far.verdict)
        assertTrue(far.reasons.joinToString { it.text }, far.reasons.any { it.code == "outside_fence" })
        // The core, not the app, decides that a rejected punch needs the officer's yes.
        try {
            app.clockIn(shift, fixAt(GeoPoint(40.0060, -83.0197), clock), false)
            fail("a rejected clock-in was recorded without confirmation")
        } catch (e: ApiException.NeedsConfirmation) {
            assertEquals(Confirmation.RejectedPunch, e.what)
            assertTrue(e.detail, e.detail.startsWith(far.summary))
        }
        assertTrue("nothing was queued", app.pendingActions().isEmpty())
        val punchIn = app.clockIn(shift, fixAt(STADIUM, clock), false)
        assertEquals(PunchVerdict.VERIFIED, punchIn.preview.verdict)
        clock.offsetMs = 2 * 60_000L
        app.clockOut(shift, fixAt(STADIUM, clock, accuracy = 6.0), false)
        clock.offsetMs = 0
        val punched = app.syncNow().decided
        assertEquals(listOf(OutcomeKind.PUNCHED, OutcomeKind.PUNCHED), punched.map { it.outcome })
        assertEquals(punched.joinToString { it.text }, listOf(PunchVerdict.VERIFIED, PunchVerdict.VERIFIED), punched.map { it.verdict })

        // The coordinator approves; the officer sees the money.
        val (s, cards) = call("GET", "/v1/timecards?status=pending", coord, null)
        assertEquals(200, s)
        val cardId = Regex("\"id\"\\s*:\\s*\"([^\"]+)\"[^{}]*\"job_id\"\\s*:\\s*\"$shift\"").find(cards)?.groupValues?.get(1)
            ?: fail("no pending timecard for the shift in $cards") as String
        val (a, approved) = call("POST", "/v1/timecards/$cardId/approve", coord, "{}")
        assertEquals(approved, 200, a)
        app.syncNow()
        val earnings = app.earnings()
        val pay = earnings.shifts.first { it.jobId == shift }
        assertEquals(TimecardStatus.APPROVED, pay.status)
        assertEquals(240L, pay.billableMinutes)
        assertEquals(pay.rate.cents * 4 * pay.multiplierBp.toLong() / 10_000, pay.gross!!.cents)
        assertTrue(earnings.yearToDate.unpaid.cents >= pay.gross!!.cents)
        assertTrue(app.earningsCsv().contains("Kotlin test detail"))

        // Preferences round trip through the server.
        app.setPreferences(Preferences(Channels(push = true, sms = true, email = false),
            listOf(QuietWindow("sun", "22:00", "06:30"))))
        app.syncNow()
        assertEquals("06:30", app.preferences().quietHours.single().end)

        // Nothing is wedged here: retry/discard of an unknown key say so.
        assertFalse(app.retryAction("018f0000-0000-7000-8000-000000000000"))
        assertFalse(app.discardAction("018f0000-0000-7000-8000-000000000000"))
        assertTrue(app.pendingActions().isEmpty())

        app.logout(false)
        assertNull(app.session())
        app.close()
    }

    @Test
    fun aFailingPlatformSignerIsAnErrorNotACrash() = runBlocking {
        val signer = JavaSigner()
        val clock = ShiftedClock()
        val app = newApp(signer, clock)
        app.login("officer003@columbus.demo", PASSWORD, "JVM")
        // A shift the officer is free for, moved to have begun a few minutes ago.
        val card = nextFirstCome(app)
        val job = card.id
        val site = GeoPoint(card.location.lat, card.location.lon)
        app.claim(job)
        assertEquals(OutcomeKind.AWARDED, app.syncNow().decided.single().outcome)
        moveJob(job, startsAgoMinutes = 5, hours = 4)
        app.syncNow()
        signer.failing = true
        try {
            app.clockIn(job, fixAt(site, clock), false)
            fail("clock-in with a failing signer succeeded")
        } catch (e: ApiException.Internal) {
            assertTrue(e.detail, e.detail.contains("keystore locked"))
        }
        assertTrue("nothing was queued", app.pendingActions().isEmpty())
        signer.failing = false
        val ok = app.clockIn(job, fixAt(site, clock), false)
        assertNotEquals("", ok.eventId)
        assertEquals(OutcomeKind.PUNCHED, app.syncNow().decided.single().outcome)
    }

    /**
     * A batch the server refuses outright wedges the action at fault (the problem's `index`):
     * the officer sees why, retries it once the server takes it, or discards it. The server is
     * the real one behind a small proxy that refuses `POST /v1/actions` while told to.
     */
    @Test
    fun aWedgedActionIsShownRetriedAndDiscarded() = runBlocking {
        val proxy = RefusingProxy(baseUrl)
        val refuse = proxy.refuse
        try {
            val app = OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
                proxy.url, JavaSigner(), MemorySecrets(), ShiftedClock())
            app.login("officer004@columbus.demo", PASSWORD, "JVM behind a proxy")
            val first = soonFirstCome(app).id

            // Refused outright: wedged, with the server's reason on the action and the job.
            refuse.set(true)
            val queued = app.claim(first)
            val report = app.syncNow()
            assertEquals(1UL, report.wedged)
            val wedged = app.pendingActions().single()
            assertEquals(queued.idempotencyKey, wedged.idempotencyKey)
            assertEquals(ActionKind.CLAIM, wedged.kind)
            assertTrue(wedged.wedgedReason ?: "", (wedged.wedgedReason ?: "").contains("this server cannot read the action"))
            val standing = app.job(first, null).standing
            assertEquals(StandingKind.WEDGED, standing.kind)
            assertEquals(wedged.wedgedReason, standing.wedged)
            // A wedged action stays put: another sync does not send it.
            assertEquals(0, app.syncNow().decided.size)
            assertEquals(1, app.pendingActions().size)

            // The server takes it again: retry, and it is decided.
            refuse.set(false)
            assertTrue(app.retryAction(wedged.idempotencyKey))
            val retried = app.syncNow()
            assertEquals(OutcomeKind.AWARDED, retried.decided.single().outcome)
            assertEquals(StandingKind.HOLDING, app.job(first, null).standing.kind)

            // Wedged again on another job: the officer discards it; nothing is left and the
            // job can be claimed afresh.
            val second = soonFirstCome(app).id
            refuse.set(true)
            val gone = app.claim(second)
            app.syncNow()
            assertEquals(StandingKind.WEDGED, app.job(second, null).standing.kind)
            assertTrue(app.discardAction(gone.idempotencyKey))
            assertTrue(app.pendingActions().isEmpty())
            assertEquals(StandingKind.NONE, app.job(second, null).standing.kind)
            refuse.set(false)
            app.claim(second)
            assertEquals(OutcomeKind.AWARDED, app.syncNow().decided.single().outcome)
            app.logout(false)
        } finally {
            proxy.stop()
        }
    }

    /** The board screen: Kotlin draws the state Rust decides and hears of every change. */
    @Test
    fun theBoardScreenIsDrawnFromRustState() = runBlocking {
        val app = newApp()
        val screens = OfficerScreens(app)
        val board = screens.board()
        val before = board.state()
        assertEquals(SyncKind.NEVER, before.sync.kind)
        assertTrue(before.rows.isEmpty())
        assertEquals("No jobs yet. Pull to refresh once you have a connection.", before.empty)

        app.login("officer005@columbus.demo", PASSWORD, "JVM")
        val changes = java.util.concurrent.atomic.AtomicInteger()
        board.setListener(object : ScreenListener {
            override fun changed() { changes.incrementAndGet() }
        })
        board.refresh()
        assertTrue("told when the sync started and ended", changes.get() >= 2)
        val s = board.state()
        assertEquals(SyncKind.SYNCED, s.sync.kind)
        assertTrue(s.sync.text, s.sync.text.startsWith("Updated today "))
        assertEquals("All upcoming jobs", s.filterSummary)
        val row = s.rows.first {
            it.award == AwardRuleKind.FIRST_COME && !it.full && it.standing == StandingKind.NONE &&
                it.eligibility == Eligibility.ELIGIBLE
        }
        assertTrue(row.pay, row.pay.endsWith("/h"))

        // The officer claims it: the row shows it waiting, then theirs once synced.
        app.claim(row.jobId)
        fun mine() = board.state().rows.first { it.jobId == row.jobId }
        assertEquals(StandingKind.PENDING, mine().standing)
        board.refresh()
        assertEquals(StandingKind.HOLDING, mine().standing)
        assertEquals("Your shift", mine().standingText)

        board.setFilters(BoardFilters(nearMe = false, radiusKm = 25.0, from = null, to = null,
            minHourlyCents = 5_000L, jobTypes = listOf(), onlyEligible = true))
        assertEquals("$50.00/h or more · only jobs you can work", board.state().filterSummary)
        assertTrue(board.state().rows.all { it.eligibility == Eligibility.ELIGIBLE })
        board.setListener(null)
    }
}
