// My shifts and the activity (pending and wedged actions).
package dev.offduty.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import dev.offduty.android.viewmodel.ActivityViewModel
import dev.offduty.android.viewmodel.ShiftsViewModel
import dev.offduty.core.Route
import dev.offduty.ui.Tab

@Composable
fun ShiftsScreen(vm: ShiftsViewModel, go: (Route) -> Unit) {
    val s = vm.state.collectAsStateValue()
    Refreshable(s.refreshing, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            item { TextButton({ go(Route.Activity) }) { Text(Tab.frame.activity) } }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            s.sections.forEach { sec ->
                item { Text(sec.title, style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.padding(16.dp).semantics { heading() }) }
                items(sec.rows, key = { it.jobId }) { r ->
                    ListItem(headlineContent = { Text(r.title) },
                        supportingContent = { Text(listOfNotNull(r.`when`, r.site, r.standingText, r.wedged, r.refused).joinToString("\n")) },
                        modifier = Modifier.clickable { go(Route.Job(r.jobId)) })
                    Row { r.actions.forEach { a ->
                        TextButton({ vm.launch { tap(r.jobId, a) } }, enabled = a.enabled && !s.busy) { Text(a.label) }
                    } }
                }
            }
            s.transfer?.let { t -> item { TransferPanel(t, { vm.launch { searchOfficers(it) } },
                { vm.launch { transferTo(it) } }, { vm.model.closeTransfer() },
                { o -> vm.launch { tap(t.jobId, o) } }) } }
        }
    }
    ConfirmDialogHost(vm.model.confirmations) { reason -> vm.launch { confirmations.confirm(reason) } }
}

@Composable
fun ActivityScreen(vm: ActivityViewModel) {
    val s = vm.state.collectAsStateValue()
    Refreshable(s.refreshing, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            items(s.wedged + s.pending, key = { it.key }) { r ->
                ListItem(headlineContent = { Text("${r.what} · ${r.jobTitle}") },
                    supportingContent = { Text(listOfNotNull(r.queuedText, r.attemptsText, r.nextAttemptText,
                        r.lastError, r.wedgedReason).joinToString("\n")) })
                Row {
                    r.retryLabel?.let { TextButton({ vm.launch { retry(r.key) } }) { Text(it) } }
                    r.discardLabel?.let { TextButton({ vm.launch { tapDiscard(r) } }) { Text(it) } }
                }
            }
        }
    }
    ConfirmDialogHost(vm.model.confirmations) { reason -> vm.launch { confirmations.confirm(reason) } }
}
