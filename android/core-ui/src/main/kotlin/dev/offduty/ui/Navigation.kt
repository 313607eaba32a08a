// Where each core Route lives in the app: the navigation-compose destination (its path is the
// core's link path, so `offduty://<path>` and the nav route are one string), the bottom tab it
// belongs to, and the link a notification carries. The core decides which Route a link or a
// push leads to (OfficerScreens.routeForLink / onPush); this only names the places.
package dev.offduty.ui

import dev.offduty.core.Chrome
import dev.offduty.core.Labels
import dev.offduty.core.Route
import dev.offduty.core.chrome
import dev.offduty.core.labels
import dev.offduty.core.tabForRoute

/** The views' labels (section headers, buttons, fields, accessibility labels): the core's
 *  `labels()`, read once. No Composable writes English of its own (scripts/view-literals.sh). */
val appLabels: Labels by lazy { labels() }

/** The bottom navigation. Its order, titles and which route opens under which tab are the
 *  core's (`chrome()`, `tabForRoute`: the iOS tab bar shows the same); the nav path is the app's. */
enum class Tab(val path: String, val core: dev.offduty.core.Tab) {
    JOBS("board", dev.offduty.core.Tab.JOBS),
    MY_SHIFTS("shifts", dev.offduty.core.Tab.MY_SHIFTS),
    CLOCK("clock", dev.offduty.core.Tab.CLOCK),
    EARNINGS("earnings", dev.offduty.core.Tab.EARNINGS),
    SETTINGS("settings", dev.offduty.core.Tab.SETTINGS),
    ;

    /** The tab's title, from the core. */
    val label: String get() = frame.tabs.first { it.tab == core }.title

    companion object {
        /** The core's frame, read once (its words do not change while the app runs). */
        val frame: Chrome by lazy { chrome() }

        /** The tabs in the core's order. */
        fun ordered(): List<Tab> = frame.tabs.map { item -> values().first { it.core == item.tab } }

        fun of(core: dev.offduty.core.Tab): Tab = values().first { it.core == core }
    }
}

object Destinations {
    const val SCHEME = "offduty://"
    const val SIGN_IN = "sign-in"
    const val JOB_ID = "id"

    /** The navigation-compose route patterns of the NavHost (android/app/.../ui/OffdutyApp.kt). */
    val patterns: List<String> = listOf(SIGN_IN, "board", "job/{$JOB_ID}", "shifts", "clock",
        "clock/{$JOB_ID}", "earnings", "activity", "settings", "inbox")

    /** The path of a route: the nav route to navigate to, and the link's path (the core's
     *  `Route::link`, checked against `routeForLink` by the JVM tests). */
    fun path(route: Route): String = when (route) {
        Route.Board -> "board"
        is Route.Job -> "job/${route.id}"
        Route.MyShifts -> "shifts"
        is Route.Clock -> route.job?.let { "clock/$it" } ?: "clock"
        Route.Earnings -> "earnings"
        Route.Activity -> "activity"
        Route.Settings -> "settings"
        Route.Inbox -> "inbox"
    }

    /** The deep link a notification's tap opens (the manifest's intent filter takes `offduty://`). */
    fun link(route: Route): String = SCHEME + path(route)

    /** The route a nav back-stack entry shows (pattern and its `id` argument). */
    fun route(pattern: String, id: String?): Route? = when (pattern) {
        "board" -> Route.Board
        "job/{$JOB_ID}" -> id?.let { Route.Job(it) }
        "shifts" -> Route.MyShifts
        "clock" -> Route.Clock(null)
        "clock/{$JOB_ID}" -> Route.Clock(id)
        "earnings" -> Route.Earnings
        "activity" -> Route.Activity
        "settings" -> Route.Settings
        "inbox" -> Route.Inbox
        else -> null
    }

    /** The tab highlighted while `route` is shown: the core decides (a job and the inbox under
     *  Jobs, the unsent actions under My shifts). */
    fun tab(route: Route): Tab = Tab.of(tabForRoute(route))

    /** Where the app starts: the sign-in form until there is a session. */
    fun start(signedIn: Boolean): String = if (signedIn) "board" else SIGN_IN
}
