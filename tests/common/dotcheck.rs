//! A strict parser for the DOT that authpath writes (a subset of the language): it proves
//! the text is well formed, that every node id is a generated one, and that every attribute
//! name is one authpath sets — so no untrusted value escaped its quoted string.

use std::collections::BTreeSet;

/// What a parse found.
#[derive(Debug, Default)]
pub struct Dot {
    pub node_ids: BTreeSet<String>,
    pub attributes: BTreeSet<String>,
    /// Every quoted value, unescaped one level (`\"` → `"`, `\\` → `\`).
    pub strings: Vec<String>,
    pub edges: usize,
}

const ATTRIBUTES: &[&str] = &[
    "rankdir",
    "labelloc",
    "fontname",
    "newrank",
    "label",
    "fontsize",
    "color",
    "style",
    "fontcolor",
    "shape",
    "tooltip",
    "fillcolor",
    "peripheries",
    "penwidth",
    "rank",
    "width",
];

struct P<'a> {
    s: &'a [u8],
    i: usize,
    out: Dot,
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, t: &str) -> Result<(), String> {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            Ok(())
        } else {
            Err(format!("expected {t:?} at byte {}", self.i))
        }
    }
    fn id(&mut self) -> Result<String, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || b"_.#-".contains(&self.s[self.i]))
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(format!("expected an identifier at byte {start}"));
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn quoted(&mut self) -> Result<String, String> {
        self.eat("\"")?;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return Err("unterminated string".into()),
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    let next = *self.s.get(self.i + 1).ok_or("dangling backslash")?;
                    if next == b'"' || next == b'\\' {
                        out.push(next);
                    } else {
                        out.push(b'\\');
                        out.push(next);
                    }
                    self.i += 2;
                }
                Some(b'\n') => return Err(format!("raw newline in a string at byte {}", self.i)),
                Some(c) => {
                    out.push(*c);
                    self.i += 1;
                }
            }
        }
        let s = String::from_utf8(out).map_err(|e| e.to_string())?;
        self.out.strings.push(s.clone());
        Ok(s)
    }
    fn value(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'"') {
            self.quoted().map(|_| ())
        } else {
            self.id().map(|_| ())
        }
    }
    fn attr(&mut self) -> Result<(), String> {
        let name = self.id()?;
        if !ATTRIBUTES.contains(&name.as_str()) {
            return Err(format!("unexpected attribute {name:?} at byte {}", self.i));
        }
        self.out.attributes.insert(name);
        self.eat("=")?;
        self.value()
    }
    fn attr_list(&mut self) -> Result<(), String> {
        self.eat("[")?;
        if self.peek() == Some(b']') {
            return self.eat("]");
        }
        loop {
            self.attr()?;
            match self.peek() {
                Some(b',') => self.eat(",")?,
                _ => return self.eat("]"),
            }
        }
    }
    fn node_id(&mut self) -> Result<String, String> {
        let id = self.id()?;
        let generated = id
            .strip_prefix('n')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            || id.starts_with("legend_");
        if !generated {
            return Err(format!("node id {id:?} is not a generated id"));
        }
        self.out.node_ids.insert(id.clone());
        Ok(id)
    }
    fn body(&mut self) -> Result<(), String> {
        self.eat("{")?;
        loop {
            match self.peek() {
                Some(b'}') => return self.eat("}"),
                None => return Err("unbalanced braces".into()),
                _ => self.stmt()?,
            }
        }
    }
    fn stmt(&mut self) -> Result<(), String> {
        let save = self.i;
        let word = self.id()?;
        match word.as_str() {
            "subgraph" => {
                if self.peek() != Some(b'{') {
                    self.id()?;
                }
                return self.body();
            }
            "graph" | "node" | "edge" => {
                self.attr_list()?;
                return self.eat(";");
            }
            _ => {}
        }
        if self.peek() == Some(b'=') {
            self.i = save;
            self.attr()?;
            return self.eat(";");
        }
        self.i = save;
        self.node_id()?;
        if self.peek() == Some(b'-') {
            self.eat("->")?;
            self.node_id()?;
            self.out.edges += 1;
        }
        if self.peek() == Some(b'[') {
            self.attr_list()?;
        }
        self.eat(";")
    }
}

pub fn parse(text: &str) -> Result<Dot, String> {
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
        out: Dot::default(),
    };
    p.eat("digraph")?;
    p.body()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing text at byte {}", p.i));
    }
    Ok(p.out)
}

/// Whether Graphviz `dot` can be run here.
pub fn graphviz_available() -> bool {
    std::process::Command::new("dot").arg("-V").output().is_ok()
}

/// Renders DOT with the real Graphviz, returning (svg, stderr).
pub fn graphviz_svg(dot: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = dot.as_bytes().to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
