// The board, a job and the inbox: they draw the core's state and forward taps.
package dev.offduty.android.ui

import dev.offduty.ui.Tab
import dev.offduty.ui.appLabels
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.FilterChip
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AssistChip
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import dev.offduty.android.viewmodel.BoardViewModel
import dev.offduty.android.viewmodel.InboxViewModel
import dev.offduty.android.viewmodel.JobViewModel
import dev.offduty.core.JobActionKind
import dev.offduty.core.MapFence
import dev.offduty.core.Route

@Composable
fun BoardScreen(vm: BoardViewModel, go: (Route) -> Unit) {
    val s = vm.state.collectAsStateValue()
    Refreshable(s.refreshing, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            item { TextButton({ go(Route.Inbox) }) { Text(Tab.frame.inbox) } }
            item { Text(s.filterSummary, Modifier.padding(horizontal = 16.dp)) }
            item {
                Row(Modifier.padding(horizontal = 16.dp).semantics { contentDescription = appLabels.sort }) {
                    appLabels.sorts.forEach { c ->
                        FilterChip(s.sort == c.sort, { vm.model.setSort(c.sort) }, label = { Text(c.label) },
                            modifier = Modifier.padding(end = 8.dp))
                    }
                }
            }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            items(s.rows, key = { it.jobId }) { r ->
                ListItem(
                    headlineContent = { Text(r.title) },
                    supportingContent = { Text("${r.`when`}\n${r.site}\n${r.slots} · ${r.awardLabel}") },
                    trailingContent = { Column { Text(r.pay); Text(r.standingText); r.distance?.let { Text(it) } } },
                    modifier = Modifier.clickable { go(Route.Job(r.jobId)) }.semantics {
                        contentDescription = listOfNotNull(r.title, r.`when`, r.site, r.pay, r.slots,
                            r.eligibilityText, r.standingText, r.distance).joinToString(", ")
                    })
            }
            if (s.hasMore) item { TextButton({ vm.model.loadMore() }) { Text(Tab.frame.loadMore) } }
        }
    }
}

@Composable
fun JobScreen(vm: JobViewModel) {
    val s = vm.state.collectAsStateValue()
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        SyncLine(s.sync)
        NoticeBar(s.notice) { vm.model.dismissNotice() }
        s.missing?.let { Text(it) }
        s.detail?.let { d ->
            Text(d.title, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
            listOfNotNull(d.customer, d.site, d.address, d.`when`, d.duration, d.pay, d.estimate, d.slots,
                d.awardText, d.awardDecides, d.signupText, d.release, d.eligibilityText, d.standingText,
                d.placeInLine, d.wedged, d.refused, d.closed, d.distance, d.notes).forEach { Text(it) }
            d.reasons.forEach { Text("• ${it.text}", color = MaterialTheme.colorScheme.error) }
            val fence = when (val f = d.fence) {
                is MapFence.Circle -> FenceShape.Circle(f.center.lat, f.center.lon, f.radiusM)
                is MapFence.Polygon -> FenceShape.Polygon(f.vertices.map { it.lat to it.lon })
            }
            FenceOutline(fence, null, null, appLabels.mapSite)
        }
        s.actions.forEach { a ->
            if (a.kind == JobActionKind.RUNNING_LATE) {
                // Running late: the minutes are the choice (the core lists them).
                Text(s.lateTitle, style = MaterialTheme.typography.titleMedium)
                Row { s.lateChoices.forEach { c -> AssistChip({ vm.launch { reportLate(c.minutes) } }, label = { Text(c.label) }, enabled = !s.busy) } }
            } else {
                Button({ vm.launch { tap(a) } }, enabled = a.enabled && !s.busy, modifier = Modifier.fillMaxWidth()) { Text(a.label) }
                a.disabledReason?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            }
        }
        s.transfer?.let { t -> TransferPanel(t, { vm.launch { searchOfficers(it) } }, { vm.launch { transferTo(it) } },
            { vm.model.closeTransfer() }, { o -> vm.launch { tap(o) } }) }
    }
    ConfirmDialogHost(vm.model.confirmations) { reason -> vm.launch { confirmations.confirm(reason) } }
}

@Composable
fun TransferPanel(t: dev.offduty.core.TransferPicker, search: (String) -> Unit, pick: (String) -> Unit,
                  close: () -> Unit, offer: (dev.offduty.core.JobAction) -> Unit) {
    Column(Modifier.padding(vertical = 8.dp)) {
        Text(t.title, style = MaterialTheme.typography.titleMedium)
        androidx.compose.material3.OutlinedTextField(t.query, search, singleLine = true)
        t.hint?.let { Text(it) }
        t.results.forEach { m -> ListItem(headlineContent = { Text(m.line) }, modifier = Modifier.clickable { pick(m.officerId) }) }
        t.offer?.let { o -> AssistChip({ offer(o) }, label = { Text(o.label) }) }
        TextButton(close) { Text(appLabels.close) }
    }
}

@Composable
fun InboxScreen(vm: InboxViewModel, go: (Route) -> Unit) {
    val s = vm.state.collectAsStateValue()
    Refreshable(s.refreshing, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            s.markAllLabel?.let { item { TextButton({ vm.model.markAllRead() }) { Text(it) } } }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            items(s.items, key = { it.id }) { i ->
                ListItem(headlineContent = { Text(i.title) }, supportingContent = { Text("${i.body}\n${i.`when`}") },
                    modifier = Modifier.clickable { go(vm.model.open(i.id)) })
            }
        }
    }
}
