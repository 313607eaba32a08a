// The activity screen on the JVM: an action the server refuses is shown wedged with the reason,
// retried, and another discarded after the confirmation Rust words — against a real demo
// server behind a refusing proxy. Run by scripts/kotlin-test.sh.
package dev.offduty.tests

import dev.offduty.core.ActionKind
import dev.offduty.core.AwardRuleKind
import dev.offduty.core.BoardFilters
import dev.offduty.core.Eligibility
import dev.offduty.core.JobActionKind
import dev.offduty.core.NoticeKind
import dev.offduty.core.OfficerScreens
import dev.offduty.core.StandingKind
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

class ActivityScreenTest {
    companion object {
        lateinit var demo: DemoDepartment

        @BeforeClass @JvmStatic
        fun start() { demo = DemoDepartment() }

        @AfterClass @JvmStatic
        fun stop() { demo.stop() }
    }

    @Test
    fun aWedgedActionIsRetriedAndAnotherDiscarded() = runBlocking {
        val proxy = RefusingProxy(demo.baseUrl)
        try {
            val app = demo.app(proxy.url)
            app.login("officer041@columbus.demo", DemoDepartment.PASSWORD, "JVM behind a proxy")
            val screens = OfficerScreens(app)
            val activity = screens.activity()
            val heard = CountingListener()
            activity.setListener(heard)
            assertNotNull(activity.state().empty)
            val board = screens.board()
            board.setFilters(BoardFilters(nearMe = false, radiusKm = 25.0, from = null, to = null,
                minHourlyCents = null, jobTypes = listOf(), onlyEligible = true))
            // What the officer may claim now (holding one shift changes it: overlaps, caps).
            fun claimable() = board.state().rows.first {
                it.award == AwardRuleKind.FIRST_COME && !it.full && it.standing == StandingKind.NONE &&
                    it.eligibility == Eligibility.ELIGIBLE
            }
            val first = claimable()

            proxy.refuse.set(true)
            screens.job(first.jobId).perform(JobActionKind.CLAIM, null)
            var s = activity.state()
            assertTrue(s.pending.isEmpty())
            val wedged = s.wedged.single()
            assertEquals(ActionKind.CLAIM, wedged.kind)
            assertEquals(first.title, wedged.jobTitle)
            assertTrue(wedged.wedgedReason!!, wedged.wedgedReason!!.contains(RefusingProxy.REFUSAL))
            assertNotNull(wedged.retryLabel)
            assertTrue(wedged.discardConfirm!!.message.contains(first.title))
            assertTrue("told of the claim and the sync", heard.count() >= 2)

            proxy.refuse.set(false)
            activity.retry(wedged.key)
            s = activity.state()
            assertEquals(NoticeKind.SUCCESS, s.notice!!.kind)
            assertNotNull(s.empty)
            assertEquals(StandingKind.HOLDING, screens.job(first.jobId).state().detail!!.standing)

            val second = claimable()
            proxy.refuse.set(true)
            val job = screens.job(second.jobId)
            job.perform(JobActionKind.CLAIM, null)
            assertEquals(NoticeKind.FAILURE, job.state().notice!!.kind)
            assertEquals(StandingKind.WEDGED, job.state().detail!!.standing)
            activity.discard(activity.state().wedged.single().key)
            s = activity.state()
            assertEquals(NoticeKind.SUCCESS, s.notice!!.kind)
            assertNotNull(s.empty)
            assertEquals(StandingKind.NONE, job.state().detail!!.standing)
            assertNull(job.state().detail!!.refused)
            app.logout(true)
        } finally {
            proxy.stop()
        }
    }
}
