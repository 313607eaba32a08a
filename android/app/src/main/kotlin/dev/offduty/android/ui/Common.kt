// Pieces every screen draws: the sync line, a notice, the core's confirmation dialog, pull to
// refresh. They draw what they are given and forward taps.
package dev.offduty.android.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.flow.StateFlow
import dev.offduty.core.Notice
import dev.offduty.core.NoticeKind
import dev.offduty.core.SyncStatus
import dev.offduty.ui.Confirmations

@Composable
fun SyncLine(sync: SyncStatus) {
    Text(sync.text, style = MaterialTheme.typography.labelMedium,
        modifier = Modifier.padding(horizontal = 16.dp, vertical = 4.dp)
            .semantics { liveRegion = LiveRegionMode.Polite })
}

@Composable
fun NoticeBar(notice: Notice?, onDismiss: () -> Unit) {
    notice ?: return
    val color = when (notice.kind) {
        NoticeKind.SUCCESS, NoticeKind.INFO -> MaterialTheme.colorScheme.secondaryContainer
        NoticeKind.REFUSED, NoticeKind.FAILURE -> MaterialTheme.colorScheme.errorContainer
    }
    Surface(color = color, onClick = onDismiss, modifier = Modifier.padding(8.dp)
        .semantics { liveRegion = LiveRegionMode.Assertive }) {
        Text(notice.text, modifier = Modifier.padding(12.dp))
    }
}

/** The dialog the core wrote (title, message, labels, and a reason field when it asks one). */
@Composable
fun ConfirmDialogHost(confirmations: Confirmations, onConfirm: (String?) -> Unit) {
    val open = confirmations.open.collectAsStateValue() ?: return
    val d = open.dialog
    var reason by remember(d) { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = confirmations::dismiss,
        title = { Text(d.title) },
        text = {
            androidx.compose.foundation.layout.Column {
                Text(d.message)
                d.reasonLabel?.let { OutlinedTextField(reason, { reason = it }, label = { Text(it) }) }
            }
        },
        confirmButton = { TextButton({ onConfirm(reason) }) { Text(d.confirmLabel) } },
        dismissButton = { TextButton(confirmations::dismiss) { Text(d.cancelLabel) } },
    )
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun Refreshable(refreshing: Boolean, onRefresh: () -> Unit, content: @Composable () -> Unit) {
    PullToRefreshBox(isRefreshing = refreshing, onRefresh = onRefresh, modifier = Modifier.fillMaxSize()) {
        Box(Modifier.fillMaxSize()) { content() }
    }
}

@Composable
fun <T> StateFlow<T>.collectAsStateValue(): T = collectAsStateWithLifecycle().value
