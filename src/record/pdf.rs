//! A small typesetter for [`Document`]s: A4 pages, DejaVu Sans (regular and bold, compiled
//! in and embedded as subsets, so every Dutch character prints and text can be copied and
//! searched), headings, wrapped paragraphs, label/value fields, tables that break across
//! pages with their header repeated, verbatim text, and a footer with page numbers.
//!
//! Built on `pdf-writer` (PDF objects), `subsetter` (font subsets) and `ttf-parser` (glyph
//! metrics). No shaping or kerning: enough for Latin text.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use super::{Block, Document};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Why a PDF could not be made. Only a damaged build can cause these.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "the built-in font {0} cannot be read ({1}); the loket binary is damaged, reinstall it"
    )]
    Font(&'static str, String),
    #[error("the built-in font {0} could not be subset ({1}); please report this")]
    Subset(&'static str, String),
}

// A4 in points, and the page's margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 62.0;
const RIGHT: f32 = PAGE_W - 62.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = PAGE_H - 66.0;
const WIDTH: f32 = RIGHT - LEFT;

#[derive(Clone, Copy, PartialEq, Eq)]
enum F {
    Regular = 0,
    Bold = 1,
}

struct Font {
    name: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    upem: f32,
    remap: GlyphRemapper,
    /// New glyph id → the character it shows (for the ToUnicode map).
    chars: BTreeMap<u16, char>,
    /// Character → (glyph id in the full font, advance in font units).
    cache: HashMap<char, (u16, u16)>,
}

impl Font {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Font, PdfError> {
        let face =
            ttf_parser::Face::parse(data, 0).map_err(|e| PdfError::Font(name, e.to_string()))?;
        Ok(Font {
            name,
            data,
            upem: f32::from(face.units_per_em()),
            face,
            remap: GlyphRemapper::new(),
            chars: BTreeMap::new(),
            cache: HashMap::new(),
        })
    }

    /// The glyph and advance of a character; `?` for one the font lacks.
    fn glyph(&mut self, c: char) -> (u16, u16) {
        if let Some(g) = self.cache.get(&c) {
            return *g;
        }
        let gid = self
            .face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .unwrap_or(ttf_parser::GlyphId(0));
        let adv = self.face.glyph_hor_advance(gid).unwrap_or(0);
        self.cache.insert(c, (gid.0, adv));
        (gid.0, adv)
    }

    fn width(&mut self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.glyph(c).1)).sum();
        units as f32 * size / self.upem
    }

    /// The text as 2-byte CIDs of the subset font (Identity-H).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (gid, _) = self.glyph(c);
            let new = self.remap.remap(gid);
            let shown = if self.face.glyph_index(c).is_some() {
                c
            } else {
                '?'
            };
            self.chars.entry(new).or_insert(shown);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    fn scale(&self, v: i16) -> f32 {
        f32::from(v) * 1000.0 / self.upem
    }
}

enum Op {
    Text {
        x: f32,
        /// Baseline, from the top of the page.
        y: f32,
        size: f32,
        font: F,
        gray: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: (f32, f32, f32),
    },
}

struct Layout {
    fonts: [Font; 2],
    pages: Vec<Vec<Op>>,
    /// Top of the next line, from the top of the page.
    y: f32,
}

/// Printable text: tabs as spaces, other control characters dropped.
fn clean(s: &str) -> String {
    s.replace('\t', "    ")
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

impl Layout {
    fn font(&mut self, f: F) -> &mut Font {
        &mut self.fonts[f as usize]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        (self.y - TOP).abs() < 0.01
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, font: F, gray: f32, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.op(Op::Text {
            x,
            y: baseline,
            size,
            font,
            gray,
            text: text.to_string(),
        });
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, gray: f32) {
        self.op(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        });
    }

    /// Breaks text into lines of at most `width` points; explicit line breaks are kept.
    fn wrap(&mut self, text: &str, font: F, size: f32, width: f32) -> Vec<String> {
        let text = clean(text);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut cur = String::new();
            for (i, word) in para.split(' ').enumerate() {
                let candidate = if i == 0 {
                    word.to_string()
                } else {
                    format!("{cur} {word}")
                };
                if self.font(font).width(&candidate, size) <= width {
                    cur = candidate;
                    continue;
                }
                if i > 0 {
                    lines.push(std::mem::take(&mut cur));
                }
                // The word alone; broken by characters when even that is too wide.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.font(font).width(&piece, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                cur = piece;
            }
            lines.push(cur);
        }
        lines
    }

    /// Wrapped text over the full width, line by line, breaking pages as needed.
    fn flow(&mut self, text: &str, font: F, size: f32, lead: f32, gray: f32) {
        for l in self.wrap(text, font, size, WIDTH) {
            self.ensure(lead);
            let base = self.y + lead * 0.78;
            self.text(LEFT, base, size, font, gray, &l);
            self.y += lead;
        }
    }

    fn title(&mut self, doc: &Document) {
        self.flow(&doc.title, F::Bold, 18.0, 23.0, 0.0);
        self.y += 2.0;
        self.flow(&doc.subtitle, F::Regular, 11.5, 15.0, 0.25);
        self.y += 6.0;
        let y = self.y;
        self.line(LEFT, y, RIGHT, y, 0.8, 0.4);
        self.y += 10.0;
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading { text } => {
                if !self.at_top() {
                    self.y += 14.0;
                }
                let lines = self.wrap(text, F::Bold, 12.5, WIDTH);
                // Keep a heading with at least a few lines of what follows.
                self.ensure(lines.len() as f32 * 16.0 + 48.0);
                for l in lines {
                    let base = self.y + 16.0 * 0.78;
                    self.text(LEFT, base, 12.5, F::Bold, 0.0, &l);
                    self.y += 16.0;
                }
                self.y += 1.5;
                let y = self.y;
                self.line(LEFT, y, RIGHT, y, 0.4, 0.7);
                self.y += 6.0;
            }
            Block::Subheading { text } => {
                if !self.at_top() {
                    self.y += 7.0;
                }
                let lines = self.wrap(text, F::Bold, 10.5, WIDTH);
                self.ensure(lines.len() as f32 * 14.0 + 36.0);
                for l in lines {
                    let base = self.y + 14.0 * 0.78;
                    self.text(LEFT, base, 10.5, F::Bold, 0.1, &l);
                    self.y += 14.0;
                }
                self.y += 2.0;
            }
            Block::Paragraph { text } => {
                self.flow(text, F::Regular, 10.0, 13.5, 0.0);
                self.y += 6.0;
            }
            Block::Notice { text } => {
                let pad = 7.0;
                let lines = self.wrap(text, F::Bold, 10.0, WIDTH - 2.0 * pad - 4.0);
                let h = lines.len() as f32 * 13.5 + 2.0 * pad;
                self.y += 4.0;
                self.ensure(h);
                let top = self.y;
                self.op(Op::Fill {
                    x: LEFT,
                    y: top,
                    w: WIDTH,
                    h,
                    rgb: (1.0, 0.95, 0.88),
                });
                self.op(Op::Fill {
                    x: LEFT,
                    y: top,
                    w: 3.0,
                    h,
                    rgb: (0.75, 0.38, 0.05),
                });
                self.y += pad;
                for l in lines {
                    let base = self.y + 13.5 * 0.78;
                    self.text(LEFT + pad + 4.0, base, 10.0, F::Bold, 0.1, &l);
                    self.y += 13.5;
                }
                self.y = top + h + 10.0;
            }
            Block::Fields { rows } => {
                let label_w = 128.0;
                let (size, lead) = (9.5, 12.8);
                for (k, v) in rows {
                    let kl = self.wrap(k, F::Bold, size, label_w - 8.0);
                    let vl = self.wrap(v, F::Regular, size, WIDTH - label_w);
                    let n = kl.len().max(vl.len());
                    self.ensure(lead * n.min(3) as f32);
                    for i in 0..n {
                        self.ensure(lead);
                        let base = self.y + lead * 0.78;
                        if let Some(l) = kl.get(i) {
                            self.text(LEFT, base, size, F::Bold, 0.15, l);
                        }
                        if let Some(l) = vl.get(i) {
                            self.text(LEFT + label_w, base, size, F::Regular, 0.0, l);
                        }
                        self.y += lead;
                    }
                    self.y += 2.0;
                }
                self.y += 6.0;
            }
            Block::Table {
                columns,
                widths,
                rows,
            } => self.table(columns, widths, rows),
            Block::Verbatim { caption, text } => {
                let (size, lead) = (9.5, 12.8);
                self.ensure(13.0 + lead * 2.0);
                let base = self.y + 12.0 * 0.78;
                self.text(LEFT, base, 8.5, F::Regular, 0.35, caption);
                self.y += 13.0;
                for l in self.wrap(text, F::Regular, size, WIDTH - 14.0) {
                    self.ensure(lead);
                    let top = self.y;
                    self.line(LEFT + 3.0, top, LEFT + 3.0, top + lead, 1.6, 0.65);
                    let base = top + lead * 0.78;
                    self.text(LEFT + 14.0, base, size, F::Regular, 0.0, &l);
                    self.y += lead;
                }
                self.y += 9.0;
            }
        }
    }

    fn table(&mut self, columns: &[String], widths: &[u16], rows: &[Vec<String>]) {
        let (size, lead, pad) = (8.5, 11.0, 3.0);
        let total: f32 = (0..columns.len())
            .map(|i| f32::from(*widths.get(i).unwrap_or(&1)).max(1.0))
            .sum::<f32>()
            .max(1.0);
        let cols: Vec<f32> = (0..columns.len())
            .map(|i| WIDTH * f32::from(*widths.get(i).unwrap_or(&1)).max(1.0) / total)
            .collect();
        let xs: Vec<f32> = cols
            .iter()
            .scan(LEFT, |x, w| {
                let here = *x;
                *x += w;
                Some(here)
            })
            .collect();
        let header: Vec<Vec<String>> = columns
            .iter()
            .zip(&cols)
            .map(|(c, w)| self.wrap(c, F::Bold, size, w - 2.0 * pad))
            .collect();
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1);
        let header_h = header_lines as f32 * lead + 2.0 * pad;

        // Draws one band of lines of a row (or the header) with its cell borders.
        let band = |me: &mut Layout,
                    cells: &[Vec<String>],
                    from: usize,
                    n: usize,
                    font: F,
                    shade: bool| {
            let h = n as f32 * lead + 2.0 * pad;
            let top = me.y;
            if shade {
                me.op(Op::Fill {
                    x: LEFT,
                    y: top,
                    w: WIDTH,
                    h,
                    rgb: (0.91, 0.91, 0.91),
                });
            }
            for (ci, cell) in cells.iter().enumerate() {
                for (li, l) in cell.iter().skip(from).take(n).enumerate() {
                    let base = top + pad + li as f32 * lead + lead * 0.78;
                    me.text(xs[ci] + pad, base, size, font, 0.0, l);
                }
            }
            me.line(LEFT, top, RIGHT, top, 0.4, 0.6);
            me.line(LEFT, top + h, RIGHT, top + h, 0.4, 0.6);
            for x in xs.iter().copied().chain(std::iter::once(RIGHT)) {
                me.line(x, top, x, top + h, 0.4, 0.6);
            }
            me.y = top + h;
        };

        self.ensure(header_h + lead + 2.0 * pad);
        band(self, &header, 0, header_lines, F::Bold, true);
        for r in rows {
            let cells: Vec<Vec<String>> = cols
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = r.get(i).map(String::as_str).unwrap_or("");
                    self.wrap(text, F::Regular, size, w - 2.0 * pad)
                })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut done = 0;
            while done < n {
                let room = ((BOTTOM - self.y - 2.0 * pad) / lead).floor().max(0.0) as usize;
                let want = n - done;
                // Move to a new page if the row does not fit (or only a sliver of it would).
                if room < want.min(3) {
                    self.new_page();
                    band(self, &header, 0, header_lines, F::Bold, true);
                    continue;
                }
                let take = want.min(room);
                band(self, &cells, done, take, F::Regular, false);
                done += take;
            }
        }
        self.y += 8.0;
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A subset tag (six capital letters) derived from the glyphs used, as PDF requires.
fn subset_tag(font: &Font) -> String {
    let mut h: u32 = 2166136261;
    for g in font.remap.remapped_gids() {
        for b in g.to_be_bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16777619);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

/// Lays out and writes the document.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let mut l = Layout {
        fonts: [
            Font::load("DejaVuSans", REGULAR)?,
            Font::load("DejaVuSans-Bold", BOLD)?,
        ],
        pages: Vec::new(),
        y: TOP,
    };
    l.new_page();
    l.title(doc);
    for b in &doc.blocks {
        l.block(b);
    }

    // Footers, now that the number of pages is known.
    let n = l.pages.len();
    for i in 0..n {
        let right = match doc.lang {
            crate::config::model::Lang::Nl => format!("pagina {} van {n}", i + 1),
            crate::config::model::Lang::En => format!("page {} of {n}", i + 1),
        };
        let w = l.font(F::Regular).width(&right, 8.0);
        let footer = l.wrap(&doc.footer, F::Regular, 8.0, WIDTH - w - 20.0);
        let page = &mut l.pages[i];
        let fy = PAGE_H - 44.0;
        page.push(Op::Line {
            x1: LEFT,
            y1: fy,
            x2: RIGHT,
            y2: fy,
            width: 0.4,
            gray: 0.6,
        });
        page.push(Op::Text {
            x: LEFT,
            y: fy + 12.0,
            size: 8.0,
            font: F::Regular,
            gray: 0.35,
            text: footer.first().cloned().unwrap_or_default(),
        });
        page.push(Op::Text {
            x: RIGHT - w,
            y: fy + 12.0,
            size: 8.0,
            font: F::Regular,
            gray: 0.35,
            text: right,
        });
    }

    let mut pdf = Pdf::new();
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree = alloc.bump();
    let info = alloc.bump();
    let font_refs: Vec<[Ref; 5]> = (0..2)
        .map(|_| {
            [
                alloc.bump(),
                alloc.bump(),
                alloc.bump(),
                alloc.bump(),
                alloc.bump(),
            ]
        })
        .collect();
    let page_refs: Vec<(Ref, Ref)> = (0..n).map(|_| (alloc.bump(), alloc.bump())).collect();

    pdf.catalog(catalog)
        .pages(tree)
        .lang(TextStr(doc.lang.code()));
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(n as i32);
    pdf.document_info(info)
        .title(TextStr(&format!("{}: {}", doc.title, doc.subtitle)))
        .producer(TextStr("loket"))
        .creator(TextStr("loket"));

    let pages = std::mem::take(&mut l.pages);
    for ((page_id, content_id), ops) in page_refs.iter().zip(pages) {
        let mut c = Content::new();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    font,
                    gray,
                    text,
                } => {
                    let bytes = l.font(font).encode(&text);
                    c.set_fill_gray(gray);
                    c.begin_text();
                    c.set_font(Name(if font == F::Bold { b"F2" } else { b"F1" }), size);
                    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y]);
                    c.show(Str(&bytes));
                    c.end_text();
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    gray,
                } => {
                    c.set_stroke_gray(gray);
                    c.set_line_width(width);
                    c.move_to(x1, PAGE_H - y1);
                    c.line_to(x2, PAGE_H - y2);
                    c.stroke();
                }
                Op::Fill { x, y, w, h, rgb } => {
                    c.set_fill_rgb(rgb.0, rgb.1, rgb.2);
                    c.rect(x, PAGE_H - y - h, w, h);
                    c.fill_nonzero();
                }
            }
        }
        let data = deflate(&c.finish());
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(Name(b"F1"), font_refs[0][0]);
        fonts.pair(Name(b"F2"), font_refs[1][0]);
        fonts.finish();
        res.finish();
        page.finish();
    }

    for (font, [type0, cid, descriptor, file, cmap]) in l.fonts.iter().zip(font_refs) {
        let subset = subsetter::subset(font.data, 0, &font.remap)
            .map_err(|e| PdfError::Subset(font.name, e.to_string()))?;
        let base = format!("{}+{}", subset_tag(font), font.name);
        let base = Name(base.as_bytes());
        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let widths: Vec<f32> = font
            .remap
            .remapped_gids()
            .map(|g| {
                f32::from(
                    font.face
                        .glyph_hor_advance(ttf_parser::GlyphId(g))
                        .unwrap_or(0),
                ) * 1000.0
                    / font.upem
            })
            .collect();
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths().consecutive(0, widths);
        c.finish();
        let bbox = font.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                font.scale(bbox.x_min),
                font.scale(bbox.y_min),
                font.scale(bbox.x_max),
                font.scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(font.scale(font.face.ascender()))
            .descent(font.scale(font.face.descender()))
            .cap_height(font.scale(font.face.capital_height().unwrap_or(700)))
            .stem_v(if font.name.contains("Bold") {
                140.0
            } else {
                80.0
            })
            .font_file2(file);
        let data = deflate(&subset);
        pdf.stream(file, &data)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        let mut map = UnicodeCmap::new(
            Name(b"Custom"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (g, ch) in &font.chars {
            map.pair(*g, *ch);
        }
        let data = deflate(&map.finish());
        pdf.stream(cmap, &data).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}
