//! A structural JSON scanner: walks the outline of a Ghost export (objects, arrays, keys)
//! without building it, and copies out one value at a time (a post, a tag row) for serde
//! to parse. That keeps memory bounded by the largest value asked for, where
//! `serde_json::from_reader` on the whole export would hold every post at once.

use std::io::BufRead;

use crate::error::{ImportError, Position, Result};

pub(crate) struct Scanner {
    input: Box<dyn BufRead + Send>,
    offset: u64,
    /// The posts row being read, for error positions.
    pub record: Option<usize>,
}

impl Scanner {
    pub fn new(input: Box<dyn BufRead + Send>) -> Self {
        Scanner {
            input,
            offset: 0,
            record: None,
        }
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn at(&self) -> Position {
        Position {
            record: self.record,
            byte: self.offset,
        }
    }

    pub fn malformed(&self, reason: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            at: self.at(),
            reason: reason.into(),
        }
    }

    fn fill(&mut self) -> Result<&[u8]> {
        let offset = self.offset;
        let record = self.record;
        self.input.fill_buf().map_err(|e| ImportError::Read {
            at: Position {
                record,
                byte: offset,
            },
            message: e.to_string(),
        })
    }

    fn consume(&mut self, n: usize) {
        self.input.consume(n);
        self.offset += n as u64;
    }

    /// Skips a UTF-8 byte order mark at the very start (editors on Windows write one; the
    /// JSONL reader accepts it too).
    pub fn skip_bom(&mut self) -> Result<()> {
        if self.offset == 0 && self.fill()?.starts_with(b"\xEF\xBB\xBF") {
            self.consume(3);
        }
        Ok(())
    }

    /// The next byte that is not JSON whitespace, without consuming it; `None` at the end.
    pub fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let ws = buf
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
                .count();
            if ws < buf.len() {
                let b = buf[ws];
                self.consume(ws);
                return Ok(Some(b));
            }
            let n = buf.len();
            self.consume(n);
        }
    }

    /// Consumes `want`, or fails saying what was expected.
    pub fn expect(&mut self, want: u8, what: &str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == want => {
                self.consume(1);
                Ok(())
            }
            Some(b) => Err(self.malformed(format!(
                "expected {what} (`{}`), found `{}`",
                want as char,
                (b as char).escape_default()
            ))),
            None => Err(self.malformed(format!(
                "the file ends where {what} was expected: truncated?"
            ))),
        }
    }

    /// After a member or element: `true` if another follows (a comma was consumed),
    /// `false` at the closing bracket (consumed).
    pub fn more(&mut self, close: u8) -> Result<bool> {
        match self.peek()? {
            Some(b',') => {
                self.consume(1);
                Ok(true)
            }
            Some(b) if b == close => {
                self.consume(1);
                Ok(false)
            }
            Some(b) => Err(self.malformed(format!(
                "expected `,` or `{}`, found `{}`",
                close as char,
                (b as char).escape_default()
            ))),
            None => Err(self.malformed("the file ends inside an object or array: truncated?")),
        }
    }

    /// Whether the container just opened is empty (and if so, closes it).
    pub fn empty(&mut self, close: u8) -> Result<bool> {
        if self.peek()? == Some(close) {
            self.consume(1);
            return Ok(true);
        }
        Ok(false)
    }

    /// An object key and its colon. Keys in Ghost exports are plain ASCII, but escapes
    /// are decoded all the same.
    pub fn key(&mut self, buf: &mut Vec<u8>) -> Result<String> {
        buf.clear();
        if self.peek()? != Some(b'"') {
            return Err(self.malformed("expected an object key"));
        }
        self.value(Some(buf))?;
        let key: String = serde_json::from_slice(buf)
            .map_err(|e| self.malformed(format!("bad object key: {e}")))?;
        self.expect(b':', "`:` after a key")?;
        Ok(key)
    }

    /// Reads one value, copying its bytes into `sink` when given. Strings, numbers,
    /// literals, objects and arrays are delimited here; their grammar inside is left to
    /// serde when the value is parsed.
    pub fn value(&mut self, mut sink: Option<&mut Vec<u8>>) -> Result<()> {
        let Some(first) = self.peek()? else {
            return Err(self.malformed("the file ends where a value was expected: truncated?"));
        };
        let mut depth: usize = 0;
        let mut in_str = false;
        let mut esc = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        let mut started = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                if scalar && started {
                    return Ok(());
                }
                return Err(self.malformed("the file ends inside a value: truncated?"));
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if scalar {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        end = Some(i);
                        break;
                    }
                    continue;
                }
                if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            // A closing bracket where a value should start.
                            end = Some(i);
                            break;
                        }
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            if let Some(s) = sink.as_deref_mut() {
                s.extend_from_slice(&buf[..take]);
                if s.len() > MAX_VALUE_BYTES {
                    return Err(self.malformed(format!(
                        "a single value is larger than {} MiB",
                        MAX_VALUE_BYTES >> 20
                    )));
                }
            }
            self.consume(take);
            started = true;
            if end.is_some() {
                if take == 0 && !scalar && depth == 0 {
                    return Err(self.malformed("expected a value, found a closing bracket"));
                }
                if scalar && take == 0 {
                    // An empty scalar: `,,` or `[,`.
                    return Err(self.malformed("expected a value"));
                }
                return Ok(());
            }
        }
    }

    /// Only whitespace may follow the document.
    pub fn end(&mut self) -> Result<()> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.malformed("data after the end of the JSON document")),
        }
    }
}

/// The largest single value (one post with its bodies, one relation row) the reader
/// accepts: far above any real post, low enough that a corrupt file cannot make it hold
/// gigabytes.
pub(crate) const MAX_VALUE_BYTES: usize = 64 * 1024 * 1024;
