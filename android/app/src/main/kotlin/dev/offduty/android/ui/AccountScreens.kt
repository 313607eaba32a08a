// Earnings, settings and sign-in.
package dev.offduty.android.ui

import dev.offduty.ui.Tab
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
import dev.offduty.android.viewmodel.SettingsViewModel
import dev.offduty.android.viewmodel.SignInViewModel
import dev.offduty.core.SignInField
import dev.offduty.core.SignOutPhase

@Composable
fun EarningsScreen(vm: EarningsViewModel) {
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
                        supportingContent = { Text(listOfNotNull(r.date, r.hours, r.rate, r.statusLabel, r.paid, r.rejectionReason).joinToString(" · ")) },
                        trailingContent = { r.gross?.let { Text(it) } })
                } }
            }
            item { ListItem(headlineContent = { Text(s.yearToDate.label) },
                supportingContent = { Text("${s.yearToDate.gross} · ${s.yearToDate.paid} · ${s.yearToDate.unpaid}") }) }
            s.payments.forEach { p -> item { ListItem(headlineContent = { Text(p.amount) }, supportingContent = { Text("${p.paidOn} · ${p.shifts}") }) } }
            item {
                TextButton({
                    val e = vm.model.export() ?: return@TextButton
                    context.startActivity(Intent.createChooser(Intent(Intent.ACTION_SEND).setType(e.mimeType)
                        .putExtra(Intent.EXTRA_TITLE, e.fileName).putExtra(Intent.EXTRA_TEXT, e.csv), e.fileName))
                }) { Text(Tab.frame.export) }
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
        s.channels.forEach { c ->
            Row(Modifier.fillMaxWidth().semantics { contentDescription = c.label }) {
                Text(c.label, Modifier.weight(1f)); Switch(c.on, { vm.model.setChannel(c.channel, it) })
            }
        }
        s.quietDays.forEach { d ->
            Row(Modifier.fillMaxWidth()) {
                Text("${d.label}: ${d.text}", Modifier.weight(1f))
                if (d.quiet) TextButton({ vm.model.clearQuietDay(d.day) }) { Text("Clear") }
                else TextButton({ vm.model.setQuietDay(d.day, "22:00", "06:00") }) { Text("22:00–06:00") }
            }
        }
        Text(s.prefs.text); s.prefs.advice?.let { Text(it) }
        s.prefs.discardLabel?.let { TextButton({ vm.model.discardEdit() }) { Text(it) } }
        Text(s.secrets, style = MaterialTheme.typography.bodySmall)
        s.signOutWarning?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        if (s.signOut == SignOutPhase.CONFIRM_UNSENT) {
            Button({ vm.launch { confirmSignOut() } }) { Text(s.signOutLabel) }
            TextButton({ vm.model.keepSignedIn() }) { Text("Keep me signed in") }
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
        OutlinedTextField(s.server, vm.model::setServer, label = { Text("Server") }, isError = error(SignInField.SERVER) != null,
            supportingText = { error(SignInField.SERVER)?.let { Text(it) } }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri), modifier = Modifier.fillMaxWidth())
        OutlinedTextField(s.email, vm.model::setEmail, label = { Text("E-mail") }, isError = error(SignInField.EMAIL) != null,
            supportingText = { error(SignInField.EMAIL)?.let { Text(it) } }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email), modifier = Modifier.fillMaxWidth())
        // The core keeps the password, never the state: the field keeps what is typed, and is
        // emptied when the core says no password is entered (after a refusal).
        var password by remember { mutableStateOf("") }
        LaunchedEffect(s.passwordEntered) { if (!s.passwordEntered) password = "" }
        OutlinedTextField(password, { password = it; vm.model.setPassword(it) }, label = { Text("Password") },
            isError = error(SignInField.PASSWORD) != null, supportingText = { error(SignInField.PASSWORD)?.let { Text(it) } },
            visualTransformation = PasswordVisualTransformation(), singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password), modifier = Modifier.fillMaxWidth())
        s.formError?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button({ vm.launch { submit() } }, enabled = s.canSubmit && !s.busy, modifier = Modifier.fillMaxWidth()) {
            Text(s.busyText ?: "Sign in")
        }
        s.secrets?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
    }
}
