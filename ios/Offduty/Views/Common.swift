// Pieces every screen draws: the sync line, a notice, an action button with the core's
// confirmation dialog, the fence map (MapKit), and the colours of the core's enums. They draw
// what the state says; nothing here decides.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import MapKit
import OffdutyApp
import OffdutyCore
import SwiftUI

/// The sync line ("Updated today 14:05", "Offline — …", "2 waiting to be sent").
struct SyncLine: View {
    let sync: SyncStatus

    var body: some View {
        Label {
            Text(sync.text)
        } icon: {
            Image(systemName: symbol)
        }
        .font(.footnote)
        .foregroundStyle(.secondary)
        .accessibilityElement(children: .combine)
    }

    private var symbol: String {
        switch sync.kind {
        case .never: return "icloud.slash"
        case .syncing: return "arrow.triangle.2.circlepath"
        case .synced: return "checkmark.icloud"
        case .offline: return "wifi.slash"
        }
    }
}

/// A notice as a banner the officer dismisses.
struct NoticeBanner: View {
    let notice: Notice
    let dismiss: () -> Void

    var body: some View {
        HStack(alignment: .firstTextBaseline) {
            Image(systemName: symbol)
                .accessibilityHidden(true)
            Text(notice.text)
                .frame(maxWidth: .infinity, alignment: .leading)
            Button(action: dismiss) {
                Image(systemName: "xmark")
            }
            .accessibilityLabel(appLabels.dismiss)
        }
        .padding(12)
        .background(tint.opacity(0.15), in: RoundedRectangle(cornerRadius: 10))
        .accessibilityElement(children: .contain)
    }

    private var symbol: String {
        switch notice.kind {
        case .success: return "checkmark.circle"
        case .info: return "info.circle"
        case .refused: return "hand.raised"
        case .failure: return "exclamationmark.triangle"
        }
    }

    private var tint: Color {
        switch notice.kind {
        case .success: return .green
        case .info: return .blue
        case .refused: return .orange
        case .failure: return .red
        }
    }
}

/// A job action as the core offers it: disabled with its reason, confirmed with the core's own
/// dialog (title, message, labels, an optional reason field) before the intent runs.
struct ActionButton: View {
    let action: JobAction
    let perform: (String?) async -> Void
    @State private var asking = false
    @State private var reason = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Button(role: action.kind == .cancel || action.kind == .withdraw ? .destructive : nil) {
                if action.confirm == nil {
                    Task { await perform(nil) }
                } else {
                    asking = true
                }
            } label: {
                Text(action.label)
                    .frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .disabled(!action.enabled)
            if let why = action.disabledReason {
                Text(why)
                    .font(.footnote)
                    .foregroundStyle(.secondary)
            }
        }
        .alert(action.confirm?.title ?? action.label, isPresented: $asking, presenting: action.confirm) { dialog in
            if let label = dialog.reasonLabel {
                TextField(label, text: $reason)
            }
            Button(dialog.confirmLabel, role: action.kind == .cancel ? .destructive : nil) {
                let given = reason.isEmpty ? nil : reason
                Task { await perform(given) }
            }
            Button(dialog.cancelLabel, role: .cancel) {}
        } message: { dialog in
            Text(dialog.message)
        }
    }
}

/// The job's fence, and the phone's fix with its accuracy when there is one.
struct FenceMap: View {
    let fence: Geofence
    var fix: GeoPoint?
    var accuracyM: Double?

    var body: some View {
        Map(initialPosition: .region(region)) {
            switch fence {
            case let .circle(center, radiusM):
                MapCircle(center: coordinate(center), radius: radiusM)
                    .foregroundStyle(.blue.opacity(0.2))
                    .stroke(.blue, lineWidth: 2)
            case let .polygon(vertices):
                MapPolygon(coordinates: vertices.map(coordinate))
                    .foregroundStyle(.blue.opacity(0.2))
                    .stroke(.blue, lineWidth: 2)
            }
            if let fix {
                if let accuracyM {
                    MapCircle(center: coordinate(fix), radius: accuracyM)
                        .foregroundStyle(.green.opacity(0.2))
                }
                Marker(appLabels.mapYou, systemImage: "location.fill", coordinate: coordinate(fix))
            }
        }
        .frame(minHeight: 200)
        .accessibilityLabel(fix == nil ? appLabels.mapSite : appLabels.mapSiteAndYou)
    }

    private func coordinate(_ point: GeoPoint) -> CLLocationCoordinate2D {
        CLLocationCoordinate2D(latitude: point.lat, longitude: point.lon)
    }

    private var center: GeoPoint {
        switch fence {
        case let .circle(center, _): return center
        case let .polygon(vertices):
            let lat = vertices.map(\.lat).reduce(0, +) / Double(max(vertices.count, 1))
            let lon = vertices.map(\.lon).reduce(0, +) / Double(max(vertices.count, 1))
            return GeoPoint(lat: lat, lon: lon)
        }
    }

    private var region: MKCoordinateRegion {
        MKCoordinateRegion(center: coordinate(center), latitudinalMeters: 800, longitudinalMeters: 800)
    }
}

extension MapFence {
    /// The job screen's fence, as the clock screen's map type.
    var geofence: Geofence {
        switch self {
        case let .circle(center, radiusM):
            return .circle(center: GeoPoint(lat: center.lat, lon: center.lon), radiusM: radiusM)
        case let .polygon(vertices):
            return .polygon(vertices: vertices.map { GeoPoint(lat: $0.lat, lon: $0.lon) })
        }
    }
}

extension StandingKind {
    var tint: Color {
        switch self {
        case .holding: return .green
        case .pending, .requested, .offered: return .blue
        case .waitlisted: return .orange
        case .wedged, .calledOff: return .red
        case .none, .left: return .secondary
        }
    }
}
#endif
