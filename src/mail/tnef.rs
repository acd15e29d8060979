//! A small reader for TNEF (`winmail.dat`, `application/ms-tnef`), the wrapper Outlook and
//! Exchange put around a message's attachments and rich body.
//!
//! A TNEF stream is a signature, a key and a list of attributes (level, id, length, data,
//! checksum). The attributes that matter here: `attAttachRenddata` starts an attachment,
//! `attAttachTitle` names it, `attAttachData` holds its bytes, `attAttachment` holds its
//! MAPI properties (long file name, MIME type, data); `attBody` is the plain text body and
//! `attMsgProps` holds the message's MAPI properties (plain, HTML and compressed RTF
//! bodies); `attOemCodepage` says how 8-bit strings are encoded. Everything is bounds
//! checked; a damaged stream gives what could be read up to the damage.

use mail_parser::decoders::charsets::map::charset_decoder;

/// The TNEF signature (little-endian 0x223E9F78).
pub const SIGNATURE: u32 = 0x223E_9F78;

/// Attachments or bodies larger than this are not unpacked.
const MAX_VALUE: usize = 64 * 1024 * 1024;
/// More attributes or properties than this are not read.
const MAX_ITEMS: usize = 100_000;

const LVL_ATTACHMENT: u8 = 2;

const ATT_BODY: u16 = 0x800C;
const ATT_ATTACH_DATA: u16 = 0x800F;
const ATT_ATTACH_TITLE: u16 = 0x8010;
const ATT_ATTACH_RENDDATA: u16 = 0x9002;
const ATT_MSG_PROPS: u16 = 0x9003;
const ATT_ATTACHMENT: u16 = 0x9005;
const ATT_OEM_CODEPAGE: u16 = 0x9007;

const PR_BODY: u16 = 0x1000;
const PR_RTF_COMPRESSED: u16 = 0x1009;
const PR_BODY_HTML: u16 = 0x1013;
const PR_ATTACH_DATA: u16 = 0x3701;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_DISPLAY_NAME: u16 = 0x3001;

/// One file from a TNEF stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TnefFile {
    pub name: String,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
    /// The attachment is an embedded message or OLE object, not a file.
    pub embedded: bool,
}

/// What a TNEF stream holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tnef {
    pub key: u16,
    pub attachments: Vec<TnefFile>,
    pub body_text: Option<String>,
    pub body_html: Option<Vec<u8>>,
    /// The RTF body, decompressed.
    pub body_rtf: Option<Vec<u8>>,
    /// The stream ended early or held something unreadable.
    pub damaged: bool,
}

impl Tnef {
    /// The files a reader would offer: the attachments, then the body as `body.html` or
    /// `body.rtf` (the names MimeKit gives them).
    pub fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.attachments.iter().map(|a| a.name.clone()).collect();
        if self.body_html.is_some() {
            names.push("body.html".into());
        } else if self.body_rtf.is_some() {
            names.push("body.rtf".into());
        }
        names
    }
}

/// Whether the bytes start with the TNEF signature.
pub fn is_tnef(bytes: &[u8]) -> bool {
    bytes.len() >= 6 && u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) == SIGNATURE
}

/// Reads a TNEF stream. `None` if it does not start with the signature.
pub fn parse(bytes: &[u8]) -> Option<Tnef> {
    if !is_tnef(bytes) {
        return None;
    }
    let mut r = Reader::new(bytes);
    r.skip(4);
    let key = r.u16().unwrap_or(0);
    let mut t = Tnef {
        key,
        ..Tnef::default()
    };
    let mut codepage = 1252u32;
    let mut current: Option<Pending> = None;
    let mut n = 0;
    while r.remaining() > 0 && n < MAX_ITEMS {
        n += 1;
        let Some((level, id, data)) = read_attribute(&mut r) else {
            t.damaged = true;
            break;
        };
        let attr = (id & 0xFFFF) as u16;
        match attr {
            ATT_OEM_CODEPAGE if data.len() >= 4 => {
                codepage = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
            }
            ATT_BODY if level != LVL_ATTACHMENT => {
                t.body_text = Some(decode_8bit(trim_nul(data), codepage));
            }
            ATT_MSG_PROPS => {
                for p in read_props(data, &mut t.damaged) {
                    match (p.id, &p.value) {
                        (PR_BODY, Value::Text(s)) if t.body_text.is_none() => {
                            t.body_text = Some(s.clone());
                        }
                        (PR_BODY, Value::Bytes(b)) if t.body_text.is_none() => {
                            t.body_text = Some(decode_8bit(trim_nul(b), codepage));
                        }
                        (PR_BODY_HTML, Value::Bytes(b)) => t.body_html = Some(b.clone()),
                        (PR_BODY_HTML, Value::Text(s)) => t.body_html = Some(s.clone().into()),
                        (PR_RTF_COMPRESSED, Value::Bytes(b)) => {
                            t.body_rtf = decompress_rtf(b);
                            if t.body_rtf.is_none() {
                                t.damaged = true;
                            }
                        }
                        _ => {}
                    }
                }
            }
            ATT_ATTACH_RENDDATA => {
                if let Some(p) = current.take() {
                    t.attachments.push(p.finish(t.attachments.len()));
                }
                current = Some(Pending::default());
            }
            ATT_ATTACH_TITLE => {
                let p = current.get_or_insert_with(Pending::default);
                p.title = Some(decode_8bit(trim_nul(data), codepage));
            }
            ATT_ATTACH_DATA => {
                let p = current.get_or_insert_with(Pending::default);
                p.data = Some(data.to_vec());
            }
            ATT_ATTACHMENT => {
                let p = current.get_or_insert_with(Pending::default);
                for prop in read_props(data, &mut t.damaged) {
                    match (prop.id, prop.value) {
                        (PR_ATTACH_LONG_FILENAME, v) => p.long_name = v.text(codepage),
                        (PR_ATTACH_FILENAME, v) => p.short_name = v.text(codepage),
                        (PR_DISPLAY_NAME, v) => p.display_name = v.text(codepage),
                        (PR_ATTACH_MIME_TAG, v) => p.mime = v.text(codepage),
                        (PR_ATTACH_DATA, Value::Bytes(b)) if p.data.is_none() => {
                            p.data = Some(b);
                        }
                        (PR_ATTACH_DATA, Value::Object) => p.embedded = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(p) = current.take() {
        t.attachments.push(p.finish(t.attachments.len()));
    }
    Some(t)
}

#[derive(Default)]
struct Pending {
    title: Option<String>,
    long_name: Option<String>,
    short_name: Option<String>,
    display_name: Option<String>,
    mime: Option<String>,
    data: Option<Vec<u8>>,
    embedded: bool,
}

impl Pending {
    fn finish(self, index: usize) -> TnefFile {
        let clean = |s: Option<String>| {
            s.map(|n| {
                let base = n.rsplit(['/', '\\']).next().unwrap_or(&n).to_string();
                base.chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .filter(|n| !n.is_empty() && n != "." && n != "..")
        };
        let name = clean(self.long_name)
            .or_else(|| clean(self.title))
            .or_else(|| clean(self.short_name))
            .or_else(|| clean(self.display_name))
            .unwrap_or_else(|| format!("attachment-{}", index + 1));
        TnefFile {
            name,
            content_type: self.mime.filter(|m| m.contains('/')),
            embedded: self.embedded && self.data.is_none(),
            data: self.data.unwrap_or_default(),
        }
    }
}

/// One attribute: level, id, data (checksum skipped, not verified: a wrong checksum is
/// no reason to lose a file).
fn read_attribute<'a>(r: &mut Reader<'a>) -> Option<(u8, u32, &'a [u8])> {
    let level = r.u8()?;
    let id = r.u32()?;
    let len = r.u32()? as usize;
    let data = r.take(len)?;
    r.u16()?;
    Some((level, id, data))
}

enum Value {
    Text(String),
    Bytes(Vec<u8>),
    /// A string in an 8-bit code page, decoded later.
    Text8(Vec<u8>),
    Object,
    Other,
}

impl Value {
    fn text(self, codepage: u32) -> Option<String> {
        match self {
            Value::Text(s) => Some(s),
            Value::Text8(b) | Value::Bytes(b) => Some(decode_8bit(trim_nul(&b), codepage)),
            _ => None,
        }
        .map(|s| s.trim_end_matches('\0').to_string())
    }
}

struct Prop {
    id: u16,
    value: Value,
}

/// The MAPI properties of an `attMsgProps` or `attAttachment` attribute.
fn read_props(data: &[u8], damaged: &mut bool) -> Vec<Prop> {
    let mut r = Reader::new(data);
    let Some(count) = r.u32() else {
        *damaged = true;
        return Vec::new();
    };
    let mut out = Vec::new();
    for _ in 0..(count as usize).min(MAX_ITEMS) {
        match read_prop(&mut r) {
            Some(p) => out.push(p),
            None => {
                *damaged = true;
                break;
            }
        }
    }
    out
}

fn read_prop(r: &mut Reader<'_>) -> Option<Prop> {
    let ty = r.u16()?;
    let id = r.u16()?;
    if id >= 0x8000 {
        // A named property: GUID, kind, then a number or a name.
        r.take(16)?;
        let kind = r.u32()?;
        if kind == 0 {
            r.u32()?;
        } else {
            let len = r.u32()? as usize;
            r.take(len)?;
            r.align4(len);
        }
    }
    let multi = ty & 0x1000 != 0;
    let base = ty & !0x1000;
    let count = if multi || matches!(base, 0x001E | 0x001F | 0x0102 | 0x000D) {
        r.u32()? as usize
    } else {
        1
    };
    let mut value = Value::Other;
    for n in 0..count.min(MAX_ITEMS) {
        let v = match base {
            0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B => {
                r.take(4)?;
                Value::Other
            }
            0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => {
                r.take(8)?;
                Value::Other
            }
            0x0048 => {
                r.take(16)?;
                Value::Other
            }
            0x001E | 0x001F | 0x0102 | 0x000D => {
                let len = r.u32()? as usize;
                if len > MAX_VALUE {
                    return None;
                }
                let bytes = r.take(len)?;
                r.align4(len);
                match base {
                    0x001F => Value::Text(utf16le(bytes)),
                    0x001E => Value::Text8(bytes.to_vec()),
                    0x000D => Value::Object,
                    _ => Value::Bytes(bytes.to_vec()),
                }
            }
            // An unknown type: its size is unknown, so nothing after it can be read.
            _ => return None,
        };
        if n == 0 {
            value = v;
        }
    }
    Some(Prop { id, value })
}

fn trim_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
    &b[..end]
}

fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_string()
}

/// Decodes an 8-bit string: valid UTF-8 as is, else in the stream's code page.
fn decode_8bit(b: &[u8], codepage: u32) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    let name = match codepage {
        65001 => "utf-8",
        1250..=1258 => return decode_named(b, &format!("windows-{codepage}")),
        932 => "shift_jis",
        936 => "gbk",
        949 => "euc-kr",
        950 => "big5",
        866 => "ibm866",
        874 => "windows-874",
        20866 => "koi8-r",
        28591..=28599 => return decode_named(b, &format!("iso-8859-{}", codepage - 28590)),
        _ => "windows-1252",
    };
    decode_named(b, name)
}

fn decode_named(b: &[u8], name: &str) -> String {
    match charset_decoder(name.as_bytes()) {
        Some(f) => f(b),
        None => String::from_utf8_lossy(b).into_owned(),
    }
}

/// The dictionary every compressed RTF stream starts with (MS-OXRTFCP).
const RTF_PREBUF: &[u8] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// Decompresses `PR_RTF_COMPRESSED` (LZFu, or MELA: stored uncompressed).
pub fn decompress_rtf(b: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader::new(b);
    let comp_size = r.u32()? as usize;
    let raw_size = r.u32()? as usize;
    let magic = r.u32()?;
    r.u32()?; // CRC
    let body_len = comp_size.saturating_sub(12);
    let body = &b[16..(16 + body_len).min(b.len())];
    match magic {
        0x414C_454D => Some(body[..raw_size.min(body.len())].to_vec()),
        0x7546_5A4C => {
            let mut dict = [0u8; 4096];
            dict[..RTF_PREBUF.len()].copy_from_slice(RTF_PREBUF);
            let mut wpos = RTF_PREBUF.len();
            let mut out = Vec::with_capacity(raw_size.min(MAX_VALUE));
            let mut i = 0;
            'outer: while i < body.len() {
                let control = body[i];
                i += 1;
                for bit in 0..8 {
                    if i >= body.len() {
                        break 'outer;
                    }
                    if control & (1 << bit) == 0 {
                        let c = body[i];
                        i += 1;
                        out.push(c);
                        dict[wpos] = c;
                        wpos = (wpos + 1) % 4096;
                    } else {
                        if i + 1 >= body.len() {
                            break 'outer;
                        }
                        let word = u16::from_be_bytes([body[i], body[i + 1]]) as usize;
                        i += 2;
                        let offset = word >> 4;
                        let len = (word & 0xF) + 2;
                        if offset == wpos {
                            break 'outer;
                        }
                        for k in 0..len {
                            let c = dict[(offset + k) % 4096];
                            out.push(c);
                            dict[wpos] = c;
                            wpos = (wpos + 1) % 4096;
                        }
                    }
                    if out.len() > MAX_VALUE {
                        return None;
                    }
                }
            }
            out.truncate(raw_size);
            Some(out)
        }
        _ => None,
    }
}

/// A bounds-checked little-endian reader.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }
    fn remaining(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn skip(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.b.len());
    }
    fn align4(&mut self, len: usize) {
        self.skip((4 - len % 4) % 4);
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|s| u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

/// A content type for an unpacked file, from its name.
pub fn guess_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "htm" | "html" => "text/html",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "zip" => "application/zip",
        "ics" => "text/calendar",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_tnef() {
        assert!(parse(b"hello world").is_none());
        assert!(parse(&[]).is_none());
    }

    #[test]
    fn truncated_stream_is_damaged_not_a_panic() {
        let mut b = SIGNATURE.to_le_bytes().to_vec();
        b.extend_from_slice(&[1, 0, 2, 0x10, 0x80, 1, 0, 0xff, 0xff, 0, 0]);
        let t = parse(&b).unwrap();
        assert!(t.damaged);
    }

    #[test]
    fn uncompressed_rtf() {
        let mut b = Vec::new();
        b.extend_from_slice(&(12u32 + 5).to_le_bytes());
        b.extend_from_slice(&5u32.to_le_bytes());
        b.extend_from_slice(&0x414C_454Du32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(b"{\\rtf");
        assert_eq!(decompress_rtf(&b).unwrap(), b"{\\rtf");
    }
}
