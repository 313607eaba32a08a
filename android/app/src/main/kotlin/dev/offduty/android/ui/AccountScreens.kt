// Earnings, settings and sign-in.
package dev.offduty.android.ui

import dev.offduty.ui.Tab
import dev.offduty.ui.SettingsModel
import dev.offduty.ui.appLabels
import dev.offduty.core.QuietEditor
import androidx.compose.foundation.clickable
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.TimePicker
import androidx.compose.material3.rememberTimePickerState
import androidx.compose.runtime.key
import androidx.compose.ui.semantics.heading
import android.content.Intent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import dev.offduty.android.viewmodel.EarningsViewModel
import dev.offduty.android.viewmodel.HistoryViewModel
import dev.offduty.android.viewmodel.SettingsViewModel
import dev.offduty.android.viewmodel.SignInViewModel
import dev.offduty.core.SignInField
import dev.offduty.core.SignOutPhase

@Composable
fun EarningsScreen(vm: EarningsViewModel, openHistory: () -> Unit) {
    val s = vm.state.collectAsStateValue()
    val context = LocalContext.current
    Refreshable(s.refreshing, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            item { Text(s.payPeriod, Modifier.padding(16.dp)) }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            s.periods.forEach { p ->
                item { ListItem(headlineContent = { Text(p.summary.label, style = MaterialTheme.typography.titleMedium) },
                    supportingContent = { Text("${p.summary.shiftsText} · ${p.summary.hours} · ${p.summary.gross}") }) }
                p.rows.forEach { r -> item(r.timecardId) {
                    ListItem(headlineContent = { Text(r.title) },
                        supportingContent = { Text(listOfNotNull(r.date, r.hours, r.rate, r.statusLabel, r.invoiced, r.paid, r.rejectionReason).joinToString(" · ")) },
                        trailingContent = { r.gross?.let { Text(it) } })
                } }
            }
            item { ListItem(headlineContent = { Text(s.yearToDate.label) },
                supportingContent = { Text("${s.yearToDate.gross} · ${s.yearToDate.paidText}") }) }
            if (s.payments.isNotEmpty()) item { Text(appLabels.earningsPayments, style = MaterialTheme.typography.titleMedium,
                modifier = Modifier.padding(16.dp).semantics { heading() }) }
            s.payments.forEach { p -> item { ListItem(headlineContent = { Text(p.amount) }, supportingContent = { Text("${p.paidOn} · ${p.shifts}") }) } }
            item {
                TextButton({
                    val e = vm.model.export() ?: return@TextButton
                    context.startActivity(Intent.createChooser(Intent(Intent.ACTION_SEND).setType(e.mimeType)
                        .putExtra(Intent.EXTRA_TITLE, e.fileName).putExtra(Intent.EXTRA_TEXT, e.csv), e.fileName))
                }) { Text(Tab.frame.export) }
            }
            item { TextButton(openHistory) { Text(appLabels.earningsHistory) } }
        }
    }
}

/** The officer's past shifts by month with totals, and the department's PDF of them. */
@Composable
fun HistoryScreen(vm: HistoryViewModel) {
    val s = vm.state.collectAsStateValue()
    val context = LocalContext.current
    Refreshable(false, { vm.launch { refresh() } }) {
        LazyColumn {
            item { SyncLine(s.sync) }
            item { NoticeBar(s.notice) { vm.model.dismissNotice() } }
            s.empty?.let { item { Text(it, Modifier.padding(16.dp)) } }
            s.months.forEach { m ->
                item { ListItem(headlineContent = { Text(m.label, style = MaterialTheme.typography.titleMedium) },
                    supportingContent = { Text("${m.summary.shiftsText} · ${m.summary.hours} · ${m.summary.gross}") },
                    modifier = Modifier.semantics { heading() }) }
                m.rows.forEach { r -> item(r.timecardId) {
                    ListItem(headlineContent = { Text(r.site) },
                        supportingContent = { Text(listOfNotNull(r.date, r.title, r.hours, r.invoiced, r.paid).joinToString(" · ")) },
                        trailingContent = { r.gross?.let { Text(it) } })
                } }
            }
            item { ListItem(headlineContent = { Text(s.total.label) },
                supportingContent = { Text("${s.total.gross} · ${s.total.paidText}") }) }
            item {
                TextButton({ vm.launch { downloadPdf(java.io.File(context.filesDir, "history.pdf").path) } },
                    enabled = !s.downloading) { Text(s.pdfLabel) }
            }
        }
    }
}

@Composable
fun SettingsScreen(vm: SettingsViewModel, signedOut: () -> Unit) {
    val s = vm.state.collectAsStateValue()
    LaunchedEffect(s.signOut) { if (s.signOut == SignOutPhase.SIGNED_OUT) signedOut() }
    Column(Modifier.verticalScroll(rememberScrollState()).padding(16.dp)) {
        SyncLine(s.sync)
        NoticeBar(s.notice) { vm.model.dismissNotice() }
        s.storage?.let { Text(it.text) }
        s.account?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
        Heading(appLabels.settingsNotifications)
        s.channels.forEach { c ->
            Row(Modifier.fillMaxWidth().semantics { contentDescription = c.label }) {
                Text(c.label, Modifier.weight(1f)); Switch(c.on, { vm.model.setChannel(c.channel, it) })
            }
        }
        Heading(appLabels.settingsQuietHours)
        s.quietDays.forEach { d ->
            // A tap opens the core's editor on the day (its window, or the core's default).
            Row(Modifier.fillMaxWidth().clickable(onClickLabel = appLabels.quietEdit) { vm.model.editQuietDay(d.day) }) {
                Text("${d.label}: ${d.text}", Modifier.weight(1f))
                if (d.quiet) TextButton({ vm.model.clearQuietDay(d.day) }) { Text(appLabels.quietClear) }
            }
        }
        s.quietEditor?.let { QuietEditorDialog(it, vm.model) }
        Text(s.prefs.text); s.prefs.advice?.let { Text(it) }
        s.prefs.discardLabel?.let { TextButton({ vm.model.discardEdit() }) { Text(it) } }
        Heading(appLabels.settingsDevice)
        Text(s.secrets, style = MaterialTheme.typography.bodySmall)
        s.signOutWarning?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        if (s.signOut == SignOutPhase.CONFIRM_UNSENT) {
            Button({ vm.launch { confirmSignOut() } }) { Text(s.signOutLabel) }
            TextButton({ vm.model.keepSignedIn() }) { Text(appLabels.keepSignedIn) }
        } else Button({ vm.launch { signOut() } }) { Text(s.signOutLabel) }
    }
}

@Composable
fun SignInScreen(vm: SignInViewModel, signedIn: () -> Unit) {
    val s = vm.state.collectAsStateValue()
    LaunchedEffect(s.signedIn) { if (s.signedIn != null) signedIn() }
    fun error(f: SignInField) = s.errors.firstOrNull { it.field == f }?.text
    Column(Modifier.verticalScroll(rememberScrollState()).padding(24.dp)) {
        NoticeBar(s.notice) {}
        OutlinedTextField(s.server, vm.model::setServer, label = { Text(appLabels.signInServer) }, isError = error(SignInField.SERVER) != null,
            supportingText = { error(SignInField.SERVER)?.let { Text(it) } }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri), modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.email, vm.model::setEmail, label = { Text(appLabels.signInEmail) }, isError = error(SignInField.EMAIL) != null,
            supportingText = { error(SignInField.EMAIL)?.let { Text(it) } }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email), modifier = Modifier.fillMaxWidth())
        // The core keeps the password, never the state: the field keeps what is typed, and is
        // emptied when the core says no password is entered (after a refusal).
        var password by remember { mutableStateOf("") }
        LaunchedEffect(s.passwordEntered) { if (!s.passwordEntered) password = "" }
        OutlinedTextField(password, { password = it; vm.model.setPassword(it) }, label = { Text(appLabels.signInPassword) },
            isError = error(SignInField.PASSWORD) != null, supportingText = { error(SignInField.PASSWORD)?.let { Text(it) } },
            visualTransformation = PasswordVisualTransformation(), singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password), modifier = Modifier.fillMaxWidth())
        s.formError?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button({ vm.launch { submit() } }, enabled = s.canSubmit && !s.busy, modifier = Modifier.fillMaxWidth()) {
            Text(s.busyText ?: appLabels.signInSubmit)
        }
        s.secrets?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
    }
}

@Composable
private fun Heading(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium,
        modifier = Modifier.padding(top = 16.dp, bottom = 4.dp).semantics { heading() })
}

/** One day's quiet hours: a time picker for the start or the end (the officer switches), each
 *  move forwarded to the core, which takes it down to its step, says what the window means and
 *  whether it can be saved. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun QuietEditorDialog(e: QuietEditor, model: SettingsModel) {
    var editingEnd by remember(e.day) { mutableStateOf(false) }
    AlertDialog(
        onDismissRequest = model::cancelQuietEdit,
        title = { Text(e.title) },
        text = {
            Column {
                Row {
                    TextButton({ editingEnd = false }) { Text("${e.startLabel} ${e.startText}") }
                    TextButton({ editingEnd = true }) { Text("${e.endLabel} ${e.endText}") }
                }
                key(editingEnd) {
                    val shown = if (editingEnd) e.end else e.start
                    val picker = rememberTimePickerState(shown.hour.toInt(), shown.minute.toInt(), e.uses24Hour)
                    LaunchedEffect(picker.hour, picker.minute) {
                        if (editingEnd) model.setQuietEnd(picker.hour, picker.minute)
                        else model.setQuietStart(picker.hour, picker.minute)
                    }
                    TimePicker(picker)
                }
                Text(e.text)
                e.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            }
        },
        confirmButton = { TextButton(model::saveQuietEdit, enabled = e.canSave) { Text(e.saveLabel) } },
        dismissButton = { TextButton(model::cancelQuietEdit) { Text(e.cancelLabel) } },
    )
}
