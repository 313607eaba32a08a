// One ViewModel per screen, each holding its screen model (android/core-ui): the core's state as
// a StateFlow, intents launched in viewModelScope. No decisions here.
package dev.offduty.android.viewmodel

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import dev.offduty.android.OffdutyApplication
import dev.offduty.ui.ActivityModel
import dev.offduty.ui.BoardModel
import dev.offduty.ui.ClockModel
import dev.offduty.ui.EarningsModel
import dev.offduty.ui.HistoryModel
import dev.offduty.ui.InboxModel
import dev.offduty.ui.JobModel
import dev.offduty.ui.ScreenModel
import dev.offduty.ui.SettingsModel
import dev.offduty.ui.ShiftsModel
import dev.offduty.ui.SignInModel
import kotlinx.coroutines.launch

open class ScreenViewModel<M : ScreenModel<*>>(val model: M) : ViewModel() {
    val state = model.state
    /** Runs a suspending intent of the model. */
    fun launch(intent: suspend M.() -> Unit) { viewModelScope.launch { model.intent() } }
    override fun onCleared() = model.close()
}

class SignInViewModel(app: OffdutyApplication) : ScreenViewModel<SignInModel>(
    SignInModel(app.screens).apply { setPlatform(app.vaults.signInPlatform()) })
class BoardViewModel(app: OffdutyApplication) : ScreenViewModel<BoardModel>(BoardModel(app.screens))
class JobViewModel(app: OffdutyApplication, id: String) : ScreenViewModel<JobModel>(JobModel(app.screens, id))
class ShiftsViewModel(app: OffdutyApplication) : ScreenViewModel<ShiftsModel>(ShiftsModel(app.screens))
class ClockViewModel(app: OffdutyApplication, job: String?) : ScreenViewModel<ClockModel>(ClockModel(app.screens, job))
class EarningsViewModel(app: OffdutyApplication) : ScreenViewModel<EarningsModel>(EarningsModel(app.screens))
class HistoryViewModel(app: OffdutyApplication) : ScreenViewModel<HistoryModel>(HistoryModel(app.screens))
class SettingsViewModel(app: OffdutyApplication) :
    ScreenViewModel<SettingsModel>(SettingsModel(app.screens, app.core.storageNotice(), app.vaults))
class InboxViewModel(app: OffdutyApplication) : ScreenViewModel<InboxModel>(InboxModel(app.screens))
class ActivityViewModel(app: OffdutyApplication) : ScreenViewModel<ActivityModel>(ActivityModel(app.screens))
