// The Android app's plain-Kotlin layer (android/core-ui) on the JVM, against the real library
// and the shared demo server (ScreensDemo): a whole officer journey through the screen models
// the ViewModels hold — sign in, claim, clock in offline, sync when the network is back, clock
// out, cancel, earnings, sign out — and the routing, notification and background-sync glue.
// Run by scripts/kotlin-test.sh.
package dev.offduty.ui

import dev.offduty.core.NoticeTopic
import dev.offduty.core.AwardRuleKind
import dev.offduty.core.BoardFilter
import dev.offduty.core.BoardSort
import dev.offduty.core.ClockTime
import dev.offduty.core.ClockPhase
import dev.offduty.core.InboxKind
import dev.offduty.core.JobActionKind
import dev.offduty.core.LocationProblem
import dev.offduty.core.OfficerApp
import dev.offduty.core.OfficerScreens
import dev.offduty.core.OutcomeKind
import dev.offduty.core.PunchKind
import dev.offduty.core.PunchVerdict
import dev.offduty.core.Route
import dev.offduty.core.ShiftSectionKind
import dev.offduty.core.SignOutPhase
import dev.offduty.core.StandingKind
import dev.offduty.core.SyncKind
import dev.offduty.core.SyncReason
import dev.offduty.core.TimecardStatus
import dev.offduty.core.Weekday
import dev.offduty.tests.JavaSigner
import dev.offduty.tests.MemorySecrets
import dev.offduty.tests.RefusingProxy
import dev.offduty.tests.ScreensDemo
import dev.offduty.tests.ShiftedClock
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

/** WorkManager, as far as the glue sees it: what was enqueued. */
class RecordingScheduler : SyncScheduler {
    val periodic = mutableListOf<Long>()
    val expedited = mutableListOf<Pair<WorkKind, String?>>()
    override fun schedulePeriodic(minutes: Long) { periodic.add(minutes) }
    override fun runExpedited(kind: WorkKind, payload: String?) { expedited.add(kind to payload) }
}

/** The state a model publishes once `ok` holds: a change the model did not cause itself
 *  (a sync run by background work) reaches its StateFlow through the ScreenListener. */
suspend fun <S : Any> ScreenModel<S>.await(what: String, ok: (S) -> Boolean): S =
    withTimeoutOrNull(10_000) { state.first(ok) } ?: throw AssertionError("$what; last state ${state.value}")

class AndroidShellTest {
    @Test
    fun anOfficersJourneyThroughTheScreenModels() = runBlocking {
        val proxy = RefusingProxy(ScreensDemo.baseUrl)
        try {
            val clock = ShiftedClock()
            val app = OfficerApp(File(Files.createTempDirectory("phone").toFile(), "phone.db").absolutePath,
                proxy.url, JavaSigner(), MemorySecrets(), clock)
            val screens = OfficerScreens(app)
            val scheduler = RecordingScheduler()
            val background = BackgroundSync(screens, scheduler, MemoryPostedStore())
            background.onAppStart()
            assertEquals(listOf(BackgroundSync.PERIOD_MINUTES), scheduler.periodic)
            assertEquals(Destinations.SIGN_IN, Destinations.start(app.session() != null))

            // Sign in: the form's StateFlow follows the core's state.
            val signIn = SignInModel(screens)
            signIn.setPlatform(Vaults(strongBox = true, deviceLabel = "JVM Android shell").signInPlatform())
            assertTrue(signIn.state.value.secrets!!, signIn.state.value.secrets!!.contains("StrongBox"))
            signIn.setEmail("officer071@columbus.demo")
            signIn.setPassword(ScreensDemo.PASSWORD)
            assertTrue(signIn.state.value.canSubmit)
            signIn.submit()
            assertEquals("officer071@columbus.demo", signIn.state.value.signedIn!!.email)
            assertFalse(signIn.state.value.busy)
            signIn.close()
            assertEquals("board", Destinations.start(app.session() != null))

            // The board, pulled to refresh.
            val board = BoardModel(screens)
            board.refresh()
            assertEquals(SyncKind.SYNCED, board.state.value.sync.kind)
            assertTrue(board.state.value.rows.isNotEmpty())

            // Claim through the job screen: the tap opens the core's dialog; yes claims.
            suspend fun claim(jobId: String) {
                val job = JobModel(screens, jobId)
                val action = job.state.value.actions.single { it.kind == JobActionKind.CLAIM }
                job.tap(action)
                val dialog = job.confirmations.open.value!!.dialog
                assertEquals(action.confirm, dialog)
                assertTrue(dialog.message.isNotEmpty())
                job.confirmations.confirm()
                assertNull(job.confirmations.open.value)
                assertEquals(StandingKind.HOLDING, job.state.value.detail!!.standing)
                job.close()
            }
            val shift = ScreensDemo.eligibleFirstCome(app).id
            claim(shift)
            ScreensDemo.moveJob(shift, startsAgoMinutes = 10, hours = 4)
            board.refresh()
            val site = app.job(shift, null).location

            // Clock in with no network: the punch is queued, the sync line says offline.
            proxy.offline.set(true)
            val clockIn = ClockModel(screens, null)
            assertEquals(shift, clockIn.state.value.shift!!.jobId)
            assertTrue(clockIn.state.value.needsLocation)
            assertTrue(clockIn.locateIfNeeded { FixResult.Unavailable(LocationProblem.DENIED) })
            assertEquals(ClockPhase.LOCATION_UNAVAILABLE, clockIn.state.value.phase)
            assertNotNull(clockIn.state.value.advice)
            assertFalse("no fix is asked for while the screen does not need one",
                clockIn.locateIfNeeded { error("asked for a fix") })
            clockIn.start()
            clock.offsetMs = 5 * 60_000L // the punch is made five minutes before the sync
            val reading = Reading(site.lat, site.lon, 8f, clock.nowMs(), "gps", mock = false)
            assertTrue(clockIn.locateIfNeeded { FixResult.Fix(reading.toFix()) })
            assertEquals(ClockPhase.PREVIEW, clockIn.state.value.phase)
            assertEquals(PunchVerdict.VERIFIED, clockIn.state.value.verdict)
            assertEquals(site, clockIn.state.value.map!!.fix)
            clockIn.confirm()
            clock.offsetMs = 0
            var c = clockIn.state.value
            assertEquals(ClockPhase.QUEUED, c.phase)
            assertEquals(SyncKind.OFFLINE, c.sync.kind)
            assertEquals(1u, c.sync.pending)
            val stillOffline = background.work(WorkKind.NETWORK_BACK, null)
            assertTrue("offline with a punch waiting: WorkManager retries", stillOffline.retry)

            // The network returns: expedited work syncs and the clock screen shows the verdict.
            proxy.offline.set(false)
            background.onNetworkBack()
            assertEquals(WorkKind.NETWORK_BACK to null, scheduler.expedited.last())
            val back = background.work(WorkKind.NETWORK_BACK, null)
            assertTrue(back.synced)
            assertFalse(back.retry)
            c = clockIn.await("the clock screen hears of the sync") { it.phase == ClockPhase.DECIDED }
            assertEquals(PunchVerdict.VERIFIED, c.clockIn!!.serverVerdict)
            assertEquals(0u, c.sync.pending)

            // Clock out, online.
            clockIn.start()
            assertEquals(PunchKind.OUT, clockIn.state.value.punch)
            clockIn.locateIfNeeded { FixResult.Fix(Reading(site.lat, site.lon, 5f, clock.nowMs(), "fused", false).toFix()) }
            clockIn.confirm()
            assertTrue(clockIn.state.value.finished)
            assertEquals(PunchVerdict.VERIFIED, clockIn.state.value.clockOut!!.serverVerdict)
            clockIn.close()

            // Cancel another shift from My shifts: the core's dialog asks for a reason.
            // Three days away: outside the 48 hours in which cancelling needs a replacement.
            val other = app.jobs(BoardFilter(near = null, onlyEligible = true, sort = BoardSort.SOONEST,
                from = Instant.now().plus(Duration.ofDays(3)))).first {
                it.awardRuleKind == AwardRuleKind.FIRST_COME && it.signupOpen &&
                    it.slotsFilled < it.slots && it.standing.kind == StandingKind.NONE
            }.id
            claim(other)
            val shifts = ShiftsModel(screens)
            val row = shifts.state.value.sections.first { it.kind == ShiftSectionKind.UPCOMING }
                .rows.first { it.jobId == other }
            val cancel = row.actions.first { it.kind == JobActionKind.CANCEL }
            shifts.tap(other, cancel)
            assertEquals(cancel.confirm!!.message, shifts.confirmations.open.value!!.dialog.message)
            shifts.confirmations.confirm("family emergency")
            val after = shifts.state.value
            assertTrue(after.toString(), after.sections.flatMap { it.rows }.none { it.jobId == other })
            assertEquals(StandingKind.LEFT, app.job(other, null).standing.kind)
            shifts.close()

            // Earnings: the shift, pending, then approved by the coordinator.
            val earnings = EarningsModel(screens)
            earnings.refresh()
            fun pay() = earnings.state.value.periods.flatMap { it.rows }.first { it.jobId == shift }
            assertEquals(TimecardStatus.PENDING, pay().status)
            val coord = ScreensDemo.coordinatorToken()
            val (a, approved) = ScreensDemo.call("POST",
                "/v1/timecards/${ScreensDemo.timecardOf(coord, shift)}/approve", coord, "{}")
            assertEquals(approved, 200, a)
            earnings.refresh()
            assertEquals(TimecardStatus.APPROVED, pay().status)
            assertTrue(pay().grossCents!! > 0)
            assertTrue(earnings.export()!!.csv.lines().size >= 2)
            earnings.close()

            // Sign out from settings: nothing unsent, so no confirmation.
            val settings = SettingsModel(screens, app.storageNotice(), Vaults(true, "JVM"))
            assertTrue(settings.state.value.secrets, settings.state.value.secrets.contains("StrongBox"))
            settings.signOut()
            assertEquals(SignOutPhase.SIGNED_OUT, settings.state.value.signOut)
            assertNull(app.session())
            settings.close()
            board.close()
            app.close()
        } finally {
            proxy.stop()
        }
    }


    @Test
    fun linksPushesAndNotificationsLeadToTheCoresRoutes() = runBlocking {
        val phone = ScreensDemo.phone("officer072@columbus.demo")
        val screens = phone.screens
        val job = ScreensDemo.eligibleFirstCome(phone.app).id

        // Every route's link reads back as that route in the core; every nav pattern too.
        val routes = listOf(Route.Board, Route.Job(job), Route.MyShifts, Route.Clock(null), Route.Clock(job),
            Route.Earnings, Route.Activity, Route.Settings, Route.Inbox)
        for (r in routes) {
            assertEquals(r, screens.routeForLink(Destinations.link(r)))
            val pattern = Destinations.patterns.single { p ->
                Regex("^" + p.replace("{${Destinations.JOB_ID}}", "[^/]+") + "$").matches(Destinations.path(r))
            }
            assertEquals(r, Destinations.route(pattern, (r as? Route.Job)?.id ?: (r as? Route.Clock)?.job))
        }
        assertEquals(Tab.JOBS, Destinations.tab(Route.Job(job)))
        assertEquals(Tab.CLOCK, Destinations.tab(Route.Clock(job)))
        assertEquals(listOf("board", "shifts", "clock", "earnings", "settings"), Tab.ordered().map { it.path })
        assertEquals(listOf("Jobs", "My shifts", "Clock", "Earnings", "Settings"), Tab.ordered().map { it.label })
        assertEquals(Tab.MY_SHIFTS, Destinations.tab(Route.Activity))
        assertEquals(Tab.JOBS, Destinations.tab(Route.Inbox))

        // The token goes through the core; the first look at the inbox posts nothing.
        val scheduler = RecordingScheduler()
        val background = BackgroundSync(screens, scheduler, MemoryPostedStore())
        assertEquals(SyncReason.NEW_PUSH_TOKEN, background.onToken("android-shell-fcm-token").reason)
        assertTrue(background.notifications().isEmpty())
        assertFalse("fresh: periodic work does not sync", background.work(WorkKind.PERIODIC, null).synced)

        // The department calls off the officer's shift; the push wakes expedited work, which
        // syncs and posts the core's inbox item on the shift-changes channel, linked to the job.
        phone.app.claim(job)
        assertEquals(OutcomeKind.AWARDED, phone.app.syncNow().decided.single().outcome)
        val coord = ScreensDemo.coordinatorToken()
        val (s, body) = ScreensDemo.call("POST", "/v1/jobs/$job/cancel", coord, null)
        assertEquals(body, 200, s)
        val payload = """{"kind":"job_cancelled","job_id":"$job","title":"x"}"""
        background.onPush(payload)
        assertEquals(WorkKind.PUSH to payload, scheduler.expedited.single())
        val inbox = InboxModel(screens)
        val pushed = background.work(WorkKind.PUSH, payload)
        assertTrue(pushed.synced)
        assertEquals(SyncReason.PUSH_ARRIVED, pushed.reason)
        assertEquals(Route.Job(job), pushed.route)
        val note = pushed.notifications.single()
        val item = inbox.await("the inbox hears of the sync") { st -> st.items.any { it.id == note.itemId } }
            .items.first { it.id == note.itemId }
        assertEquals(InboxKind.JOB_CANCELLED, item.kind)
        assertEquals(NoticeTopic.SHIFT_CHANGES, item.topic)
        assertEquals(NoticeChannel.of(NoticeTopic.SHIFT_CHANGES), note.channel)
        assertEquals(item.title, note.title)
        assertEquals(item.body, note.body)
        assertEquals(Route.Job(job), screens.routeForLink(note.link))
        assertTrue("posted once", background.work(WorkKind.PUSH, payload).notifications.isEmpty())

        // The tap: the inbox marks it read and the core prepares the route.
        assertEquals(Route.Job(job), inbox.open(item.id))
        assertFalse(inbox.state.value.items.first { it.id == item.id }.unread)
        assertFalse(screens.open(Route.Job(job)).sync)
        inbox.close()
        phone.app.close()
    }

    @Test
    fun quietHoursArePickedInTheCoresEditorAndTheViewsWordsAreTheCores() = runBlocking {
        // What the Composables label things with comes from the core: each sort once, none blank.
        assertEquals(listOf(BoardSort.SOONEST, BoardSort.NEAREST, BoardSort.BEST_PAY), appLabels.sorts.map { it.sort })
        assertEquals(3, appLabels.sorts.map { it.label }.toSet().size)
        listOf(appLabels.keepSignedIn, appLabels.signInSubmit, appLabels.close, appLabels.syncing,
            appLabels.settingsQuietHours, appLabels.quietClear, appLabels.mapSite)
            .forEach { assertTrue(it, it.isNotBlank() && !it.contains('{')) }

        val phone = ScreensDemo.phone("officer081@columbus.demo")
        val settings = SettingsModel(phone.screens, phone.app.storageNotice(), Vaults(false, "JVM"))
        settings.clearQuietDay(Weekday.SAT)
        // A tap on Saturday's row: the core opens its editor on its default window.
        settings.editQuietDay(Weekday.SAT)
        var e = settings.state.value.quietEditor!!
        assertEquals(Weekday.SAT, e.day)
        assertTrue(e.canSave)
        assertNull(e.error)

        // The TimePicker moves, as the dialog forwards it: the start to 23:07, the end to 05:30.
        settings.setQuietStart(23, 7)
        settings.setQuietEnd(5, 30)
        e = settings.state.value.quietEditor!!
        assertEquals("taken down to the core's step", ClockTime(23u, 5u), e.start)
        assertEquals(5u, e.minuteStep)
        assertTrue(e.text, e.text.contains(e.startText) && e.text.contains(e.endText))
        // A value no picker sends: refused with the core's reason, the window kept.
        settings.setQuietEnd(-1, 0)
        assertNotNull(settings.state.value.quietEditor!!.error)
        assertEquals(ClockTime(5u, 30u), settings.state.value.quietEditor!!.end)

        // Saved: the row shows the window, the editor is gone.
        settings.saveQuietEdit()
        val s = settings.state.value
        assertNull(s.quietEditor)
        val saturday = s.quietDays.first { it.day == Weekday.SAT }
        assertEquals("23:05" to "05:30", saturday.start to saturday.end)
        settings.close()
        phone.app.close()
    }
}
