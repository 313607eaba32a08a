// Settings: quiet hours per day, notification channels, where the secrets are kept (the Secure
// Enclave or a software key on the Simulator), pending actions, and signing out (asked first
// when actions are unsent).
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct SettingsView: View {
    let app: AppModel
    @ObservedObject var model: SettingsModel
    @State private var editing: QuietDay?

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
            Section("Quiet hours") {
                ForEach(s.quietDays, id: \.day) { day in
                    Button {
                        editing = day
                    } label: {
                        HStack {
                            Text(day.label)
                            Spacer()
                            Text(day.text).foregroundStyle(.secondary)
                        }
                    }
                    .swipeActions {
                        if day.quiet {
                            Button("Clear", role: .destructive) { model.screen.clearQuietDay(day: day.day) }
                        }
                    }
                }
                Text(s.prefs.text).font(.footnote)
                if let advice = s.prefs.advice { Text(advice).font(.footnote).foregroundStyle(.secondary) }
                if let discard = s.prefs.discardLabel {
                    Button(discard, role: .destructive) { model.screen.discardEdit() }
                }
            }
            Section("Notifications") {
                ForEach(s.channels, id: \.channel) { row in
                    Toggle(row.label, isOn: Binding(get: { row.on }, set: { model.screen.setChannel(channel: row.channel, on: $0) }))
                }
            }
            Section("This device") {
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
        .sheet(item: Binding(get: { editing.map(EditedDay.init) }, set: { editing = $0?.day })) { edited in
            QuietDayEditor(day: edited.day) { start, end in
                model.screen.setQuietDay(day: edited.day.day, start: start, end: end)
            }
        }
        .confirmationDialog(
            s.signOutLabel,
            isPresented: Binding(get: { s.signOut == .confirmUnsent }, set: { if !$0 { model.screen.keepSignedIn() } }),
            titleVisibility: .visible
        ) {
            Button(s.signOutLabel, role: .destructive) { Task { await model.screen.confirmSignOut() } }
            Button("Stay signed in", role: .cancel) { model.screen.keepSignedIn() }
        } message: {
            Text(s.signOutWarning ?? "")
        }
        .onChange(of: s.signOut) { phase in
            if phase == .signedOut { app.sessionChanged() }
        }
    }
}

private struct EditedDay: Identifiable {
    let day: QuietDay
    var id: Weekday { day.day }
}

/// Start and end of one day's quiet hours, as "HH:MM" (the core checks them).
private struct QuietDayEditor: View {
    let day: QuietDay
    let save: (String, String) -> Void
    @State private var start = "22:00"
    @State private var end = "06:00"
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            Form {
                TextField("From (HH:MM)", text: $start).keyboardType(.numbersAndPunctuation)
                TextField("To (HH:MM)", text: $end).keyboardType(.numbersAndPunctuation)
            }
            .navigationTitle(day.label)
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") {
                        save(start, end)
                        dismiss()
                    }
                }
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") { dismiss() }
                }
            }
            .onAppear {
                start = day.start ?? start
                end = day.end ?? end
            }
        }
    }
}
#endif
