// Earnings: pay periods with their shifts and statuses, payments, the year's totals, pull to
// refresh, and the CSV export shared as a file.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI

struct EarningsView: View {
    @ObservedObject var model: EarningsModel
    /// Makes the history screen's model when the officer opens it.
    let history: () -> HistoryModel
    @State private var exported: URL?

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
                Text(s.payPeriod).font(.footnote).foregroundStyle(.secondary)
            }
            if let empty = s.empty {
                Text(empty).foregroundStyle(.secondary)
            }
            ForEach(s.periods, id: \.summary.label) { period in
                Section {
                    ForEach(period.rows, id: \.timecardId) { row in
                        VStack(alignment: .leading, spacing: 4) {
                            HStack {
                                Text(row.title).font(.headline)
                                Spacer()
                                Text(row.gross ?? "—").monospacedDigit()
                            }
                            Text("\(row.date) · \(row.hours ?? "—") · \(row.rate)").font(.subheadline)
                            Text(row.statusLabel).font(.caption.bold())
                            if let invoiced = row.invoiced { Text(invoiced).font(.caption) }
                            if let paid = row.paid { Text(paid).font(.caption) }
                            if let reason = row.rejectionReason { Text(reason).font(.caption).foregroundStyle(.red) }
                        }
                        .accessibilityElement(children: .combine)
                    }
                } header: {
                    Text(period.summary.label)
                } footer: {
                    Text("\(period.summary.shiftsText) · \(period.summary.hours) · \(period.summary.gross)")
                }
            }
            if !s.payments.isEmpty {
                Section(appLabels.earningsPayments) {
                    ForEach(s.payments, id: \.paidOn) { payment in
                        HStack {
                            Text(payment.paidOn)
                            Spacer()
                            Text(payment.amount).monospacedDigit()
                        }
                        .accessibilityElement(children: .combine)
                    }
                }
            }
            Section(s.yearToDate.label) {
                Text("\(s.yearToDate.shiftsText) · \(s.yearToDate.hours)")
                Text(s.yearToDate.paidText)
                NavigationLink {
                    HistoryView(model: history())
                } label: {
                    Text(appLabels.earningsHistory)
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(Tab.earnings.title)
        .toolbar {
            ToolbarItem(placement: .topBarTrailing) {
                if let url = exported {
                    ShareLink(item: url) { Label(appLabels.earningsShare, systemImage: "square.and.arrow.up") }
                } else {
                    Button {
                        exported = exportFile()
                    } label: {
                        Label(appFrame.export, systemImage: "tablecells")
                    }
                }
            }
        }
    }

    /// The core's export written to a temporary file the share sheet can hand on.
    private func exportFile() -> URL? {
        guard let export = model.screen.export() else { return nil }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(export.fileName)
        do {
            try export.csv.write(to: url, atomically: true, encoding: .utf8)
            return url
        } catch {
            return nil
        }
    }
}
/// The officer's past shifts by month with totals, and the department's PDF of them.
struct HistoryView: View {
    @StateObject var model: HistoryModel

    var body: some View {
        let s = model.state
        List {
            Section {
                SyncLine(sync: s.sync)
                if let notice = s.notice {
                    NoticeBanner(notice: notice) { model.screen.dismissNotice() }
                }
            }
            if let empty = s.empty {
                Text(empty).foregroundStyle(.secondary)
            }
            ForEach(s.months, id: \.label) { month in
                Section {
                    ForEach(month.rows, id: \.timecardId) { row in
                        VStack(alignment: .leading, spacing: 4) {
                            HStack {
                                Text(row.site).font(.headline)
                                Spacer()
                                Text(row.gross ?? "—").monospacedDigit()
                            }
                            Text("\(row.date) · \(row.hours ?? "—")").font(.subheadline)
                            if let invoiced = row.invoiced { Text(invoiced).font(.caption) }
                            if let paid = row.paid { Text(paid).font(.caption) }
                        }
                        .accessibilityElement(children: .combine)
                    }
                } header: {
                    Text(month.label)
                } footer: {
                    Text("\(month.summary.shiftsText) · \(month.summary.hours) · \(month.summary.gross)")
                }
            }
            Section(s.total.label) {
                Text("\(s.total.shiftsText) · \(s.total.hours) · \(s.total.gross)")
                if let saved = s.savedPdf {
                    ShareLink(item: URL(fileURLWithPath: saved)) { Label(s.pdfLabel, systemImage: "doc.richtext") }
                } else {
                    Button(s.pdfLabel) {
                        let url = FileManager.default.temporaryDirectory.appendingPathComponent("history.pdf")
                        Task { await model.screen.downloadPdf(path: url.path) }
                    }
                    .disabled(s.downloading)
                }
            }
        }
        .refreshable { await model.screen.refresh() }
        .navigationTitle(appLabels.earningsHistory)
    }
}
#endif
