//! A small PDF 1.4 writer for invoices and credit notes: text lines in the standard Helvetica
//! font (no embedding), one or more A4-like pages (612 × 792 pt, US Letter), a correct
//! cross-reference table. Pure: lines in, bytes out. Text is written as WinAnsi-safe ASCII
//! (common typographic characters folded to ASCII; anything else becomes `?`).

/// Lines per page.
const PER_PAGE: usize = 48;

/// One line of text: its size in points and whether it is bold.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub size: u8,
    pub bold: bool,
}

impl Line {
    pub fn new(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            size: 10,
            bold: false,
        }
    }

    pub fn heading(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            size: 16,
            bold: true,
        }
    }
}

fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '×' => out.push('x'),
            '–' | '—' | '−' => out.push('-'),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            '…' => out.push_str("..."),
            ' ' => out.push(' '),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// The PDF document for `lines`, titled `title`.
pub fn document(title: &str, lines: &[Line]) -> Vec<u8> {
    let pages: Vec<&[Line]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(PER_PAGE).collect()
    };
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then per page its
    // page object and its content stream.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 6 + 2 * i))
        .collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .into(),
    );
    objects.push(format!(
        "<< /Title ({}) /Producer (offduty) >>",
        ascii(title)
    ));
    for (i, page) in pages.iter().enumerate() {
        let content_obj = 7 + 2 * i;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {content_obj} 0 R >>"
        ));
        let mut stream = String::from("BT\n");
        stream.push_str("1 0 0 1 56 750 Tm\n");
        for (n, l) in page.iter().enumerate() {
            let lead = i32::from(l.size) + 6;
            if n > 0 {
                stream.push_str(&format!("0 -{lead} Td\n"));
            }
            stream.push_str(&format!(
                "/{} {} Tf ({}) Tj\n",
                if l.bold { "F2" } else { "F1" },
                l.size,
                ascii(&l.text)
            ));
        }
        stream.push_str("ET\n");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}endstream",
            stream.len()
        ));
    }
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_folded_to_ascii() {
        assert_eq!(
            ascii("2 × 4 h (security) — ok\\"),
            "2 x 4 h \\(security\\) - ok\\\\"
        );
        assert_eq!(ascii("Zoë"), "Zo?");
    }

    #[test]
    fn the_cross_reference_points_at_each_object() {
        let lines: Vec<Line> = (0..100).map(|i| Line::new(format!("line {i}"))).collect();
        let pdf = document("Invoice 7", &lines);
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(pdf[start..].starts_with(b"xref\n"));
        let table = String::from_utf8_lossy(&pdf[start..]).to_string();
        // Three pages of 48 lines: 5 + 2 × 3 objects.
        let rows: Vec<&str> = table.lines().skip(3).take(11).collect();
        assert_eq!(rows.len(), 11);
        for (i, row) in rows.iter().enumerate() {
            let off: usize = row[..10].parse().expect("offset");
            let obj = format!("{} 0 obj", i + 1);
            assert!(pdf[off..].starts_with(obj.as_bytes()), "object {}", i + 1);
        }
    }
}
