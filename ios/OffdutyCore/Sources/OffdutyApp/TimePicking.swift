// The quiet-hours editor's times as a SwiftUI DatePicker (hours and minutes) binds them: the
// core's ClockTime to a Date today and back. The core checks the picked time, takes it down to
// its minute step and says what the window means; this only converts.

import Foundation

import OffdutyCore

extension ClockTime {
    /// This time of day on `day` in `calendar`.
    public func date(in calendar: Calendar = .current, on day: Date = Date()) -> Date {
        calendar.date(bySettingHour: Int(hour), minute: Int(minute), second: 0, of: day) ?? day
    }

    /// The hour and minute (24-hour clock) a picker's date shows, as the core's intents take them.
    public static func picked(_ date: Date, in calendar: Calendar = .current) -> (hour: UInt32, minute: UInt32) {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (UInt32(parts.hour ?? 0), UInt32(parts.minute ?? 0))
    }
}
