// One model per screen of the core's screen layer: its state as a StateFlow and its intents,
// forwarded as they are. The Android ViewModels (android/app/.../viewmodel/ViewModels.kt) are a
// line each over these. Nothing here decides what an officer may do or what a screen says.
package dev.offduty.ui

import dev.offduty.core.ActivityState
import dev.offduty.core.BoardFilters
import dev.offduty.core.BoardSort
import dev.offduty.core.BoardState
import dev.offduty.core.Channel
import dev.offduty.core.ClockState
import dev.offduty.core.EarningsExport
import dev.offduty.core.EarningsState
import dev.offduty.core.InboxState
import dev.offduty.core.JobAction
import dev.offduty.core.JobActionKind
import dev.offduty.core.JobState
import dev.offduty.core.LocationFix
import dev.offduty.core.LocationProblem
import dev.offduty.core.OfficerScreens
import dev.offduty.core.Route
import dev.offduty.core.SettingsState
import dev.offduty.core.ShiftsState
import dev.offduty.core.SignInPlatform
import dev.offduty.core.SignInState
import dev.offduty.core.StorageNotice
import dev.offduty.core.Weekday

class SignInModel private constructor(private val s: dev.offduty.core.SignInScreen) :
    ScreenModel<SignInState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.signIn())
    fun setPlatform(platform: SignInPlatform) = act { s.setPlatform(platform) }
    fun openLink(link: String) = act { s.openLink(link) }
    fun setServer(v: String) = act { s.setServer(v) }
    fun setEmail(v: String) = act { s.setEmail(v) }
    fun setPassword(v: String) = act { s.setPassword(v) }
    suspend fun submit() = intent { s.submit() }
}

class BoardModel private constructor(private val s: dev.offduty.core.BoardScreen) :
    ScreenModel<BoardState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.board())
    fun setFilters(f: BoardFilters) = act { s.setFilters(f) }
    fun setSort(sort: BoardSort) = act { s.setSort(sort) }
    fun setLocation(lat: Double, lon: Double) = act { s.setLocation(lat, lon) }
    fun clearLocation() = act { s.clearLocation() }
    fun loadMore() = act { s.loadMore() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class JobModel private constructor(private val s: dev.offduty.core.JobScreen) :
    ScreenModel<JobState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens, jobId: String) : this(screens.job(jobId))
    val confirmations = Confirmations()
    /** A tap on one of the state's action buttons: performed, or its dialog opened. */
    suspend fun tap(action: JobAction) = confirmations.tap(action.confirm) { reason -> perform(action.kind, reason) }
    suspend fun perform(kind: JobActionKind, reason: String?) = intent { s.perform(kind, reason) }
    /** "Running late" by one of the state's `lateChoices`. */
    suspend fun reportLate(minutes: UShort) = intent { s.reportLate(minutes) }
    suspend fun searchOfficers(query: String) = intent { s.searchOfficers(query) }
    suspend fun transferTo(officerId: String) = intent { s.transferTo(officerId) }
    fun closeTransfer() = act { s.closeTransfer() }
    fun setLocation(lat: Double, lon: Double) = act { s.setLocation(lat, lon) }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class ShiftsModel private constructor(private val s: dev.offduty.core.ShiftsScreen) :
    ScreenModel<ShiftsState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.shifts())
    val confirmations = Confirmations()
    suspend fun tap(jobId: String, action: JobAction) =
        confirmations.tap(action.confirm) { reason -> perform(jobId, action.kind, reason) }
    suspend fun perform(jobId: String, kind: JobActionKind, reason: String?) = intent { s.perform(jobId, kind, reason) }
    suspend fun searchOfficers(query: String) = intent { s.searchOfficers(query) }
    suspend fun transferTo(officerId: String) = intent { s.transferTo(officerId) }
    fun closeTransfer() = act { s.closeTransfer() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

/** What the platform's location service answered for one request. */
sealed class FixResult {
    data class Fix(val fix: LocationFix) : FixResult()
    data class Unavailable(val problem: LocationProblem) : FixResult()
}

/** The platform's one-shot location (android/app/.../platform/OneShotLocator.kt). */
fun interface Locator {
    suspend fun currentFix(): FixResult
}

class ClockModel private constructor(private val s: dev.offduty.core.ClockScreen) :
    ScreenModel<ClockState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens, jobId: String?) : this(screens.clock(jobId))
    /** Asks `locator` for a fix when (and only when) the screen says it needs one. */
    suspend fun locateIfNeeded(locator: Locator): Boolean {
        if (!state.value.needsLocation) return false
        when (val r = locator.currentFix()) {
            is FixResult.Fix -> s.locationFix(r.fix)
            is FixResult.Unavailable -> s.locationUnavailable(r.problem)
        }
        reload()
        return true
    }
    fun locationFix(fix: LocationFix) = act { s.locationFix(fix) }
    fun locationUnavailable(problem: LocationProblem) = act { s.locationUnavailable(problem) }
    fun start() = act { s.start() }
    suspend fun confirm() = intent { s.confirm() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class EarningsModel private constructor(private val s: dev.offduty.core.EarningsScreen) :
    ScreenModel<EarningsState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.earnings())
    /** The CSV to share (null when there is nothing to export). */
    fun export(): EarningsExport? = s.export()
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class HistoryModel private constructor(private val s: dev.offduty.core.HistoryScreen) :
    ScreenModel<dev.offduty.core.HistoryState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.history())
    /** Saves the department's PDF of the history at `path` (a file in the app's storage). */
    suspend fun downloadPdf(path: String) = intent { s.downloadPdf(path) }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class SettingsModel private constructor(private val s: dev.offduty.core.SettingsScreen) :
    ScreenModel<SettingsState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens, storage: StorageNotice, vaults: Vaults) :
        this(screens.settings(storage, vaults.signInPlatform()))
    val confirmations = Confirmations()
    fun setQuietDay(day: Weekday, start: String, end: String) = act { s.setQuietDay(day, start, end) }
    /** The quiet-hours editor: opened on a day, its time pickers forwarded as they move. */
    fun editQuietDay(day: Weekday) = act { s.editQuietDay(day) }
    fun setQuietStart(hour: Int, minute: Int) = act { s.setQuietStart(hour.toUInt(), minute.toUInt()) }
    fun setQuietEnd(hour: Int, minute: Int) = act { s.setQuietEnd(hour.toUInt(), minute.toUInt()) }
    fun saveQuietEdit() = act { s.saveQuietEdit() }
    fun cancelQuietEdit() = act { s.cancelQuietEdit() }
    fun clearQuietDay(day: Weekday) = act { s.clearQuietDay(day) }
    fun setChannel(channel: Channel, on: Boolean) = act { s.setChannel(channel, on) }
    fun discardEdit() = act { s.discardEdit() }
    suspend fun signOut() = intent { s.signOut() }
    suspend fun confirmSignOut() = intent { s.confirmSignOut() }
    fun keepSignedIn() = act { s.keepSignedIn() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class InboxModel private constructor(private val s: dev.offduty.core.InboxScreen) :
    ScreenModel<InboxState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.inbox())
    /** Marks the item read; returns where it leads. */
    fun open(id: String): Route = act { s.open(id) }
    fun markAllRead() = act { s.markAllRead() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}

class ActivityModel private constructor(private val s: dev.offduty.core.ActivityScreen) :
    ScreenModel<ActivityState>(s::state, s::setListener) {
    constructor(screens: OfficerScreens) : this(screens.activity())
    val confirmations = Confirmations()
    suspend fun retry(key: String) = intent { s.retry(key) }
    /** Discard asks first, with the core's dialog. */
    suspend fun tapDiscard(row: dev.offduty.core.ActivityRow) =
        confirmations.tap(row.discardConfirm) { s.discard(row.key); reload() }
    fun dismissNotice() = act { s.dismissNotice() }
    suspend fun refresh() = intent { s.refresh() }
}
