// Settings: quiet hours per day (start and end picked with time pickers in the core's editor),
// notification channels, where the secrets are kept (the Secure Enclave or a software key on the
// Simulator), pending actions, and signing out (asked first when actions are unsent).
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct SettingsView: View {
    let app: AppModel
    @ObservedObject var model: SettingsModel

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
                if let storage = s.storage {
                    NoticeBanner(notice: storage) {}
                }
            }
            Section(appLabels.settingsQuietHours) {
                ForEach(s.quietDays, id: \.day) { day in
                    Button {
                        model.screen.editQuietDay(day: day.day)
                    } label: {
                        HStack {
                            Text(day.label)
                            Spacer()
                            Text(day.text).foregroundStyle(.secondary)
                        }
                    }
                    .accessibilityHint(appLabels.quietEdit)
                    .swipeActions {
                        if day.quiet {
                            Button(appLabels.quietClear, role: .destructive) { model.screen.clearQuietDay(day: day.day) }
                        }
                    }
                }
                Text(s.prefs.text).font(.footnote)
                if let advice = s.prefs.advice { Text(advice).font(.footnote).foregroundStyle(.secondary) }
                if let discard = s.prefs.discardLabel {
                    Button(discard, role: .destructive) { model.screen.discardEdit() }
                }
            }
            Section(appLabels.settingsNotifications) {
                ForEach(s.channels, id: \.channel) { row in
                    Toggle(row.label, isOn: Binding(get: { row.on }, set: { model.screen.setChannel(channel: row.channel, on: $0) }))
                }
            }
            Section(appLabels.settingsDevice) {
                Text(s.secrets).font(.footnote)
            }
            Section {
                if let account = s.account { Text(account) }
                Button(s.signOutLabel, role: .destructive) {
                    Task { await model.screen.signOut() }
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(Tab.settings.title)
        .sheet(isPresented: Binding(get: { s.quietEditor != nil }, set: { if !$0 { model.screen.cancelQuietEdit() } })) {
            if let editor = s.quietEditor {
                QuietDayEditor(editor: editor, screen: model.screen)
            }
        }
        .confirmationDialog(
            s.signOutLabel,
            isPresented: Binding(get: { s.signOut == .confirmUnsent }, set: { if !$0 { model.screen.keepSignedIn() } }),
            titleVisibility: .visible
        ) {
            Button(s.signOutLabel, role: .destructive) { Task { await model.screen.confirmSignOut() } }
            Button(appLabels.keepSignedIn, role: .cancel) { model.screen.keepSignedIn() }
        } message: {
            Text(s.signOutWarning ?? "")
        }
        .onChange(of: s.signOut) { phase in
            if phase == .signedOut { app.sessionChanged() }
        }
    }
}

/// One day's quiet hours: two time pickers forwarding what they pick to the core, which takes
/// the time down to its step, says what the window means and whether it can be saved.
private struct QuietDayEditor: View {
    let editor: QuietEditor
    let screen: SettingsScreen

    var body: some View {
        NavigationStack {
            Form {
                DatePicker(
                    editor.startLabel,
                    selection: Binding(get: { editor.start.date() }, set: { date in
                        let t = ClockTime.picked(date)
                        screen.setQuietStart(hour: t.hour, minute: t.minute)
                    }),
                    displayedComponents: .hourAndMinute
                )
                DatePicker(
                    editor.endLabel,
                    selection: Binding(get: { editor.end.date() }, set: { date in
                        let t = ClockTime.picked(date)
                        screen.setQuietEnd(hour: t.hour, minute: t.minute)
                    }),
                    displayedComponents: .hourAndMinute
                )
                Text(editor.text)
                if let error = editor.error {
                    Text(error).foregroundStyle(.red)
                }
            }
            .navigationTitle(editor.title)
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button(editor.saveLabel) { screen.saveQuietEdit() }
                        .disabled(!editor.canSave)
                }
                ToolbarItem(placement: .cancellationAction) {
                    Button(editor.cancelLabel) { screen.cancelQuietEdit() }
                }
            }
        }
    }
}
#endif
