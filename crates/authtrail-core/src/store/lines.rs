//! The line each event starts on, so that an event can be named by file and line (two records
//! that share an id are). One byte an event: the lines since the event before it in the same
//! file; the first event of a file, and one far from the event before, are given whole in a side
//! table, and every [`EVERY`]th event's line is kept, so that finding a line sums few steps.

/// Steps of this many lines or more, and the first event of each file, are given whole.
const FAR: u8 = u8::MAX;
/// Every this many events, the line is kept whole.
const EVERY: usize = 256;

#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// Per event: the lines since the event before it, or [`FAR`].
    steps: Vec<u8>,
    /// The events whose step is [`FAR`], with their line, in event order.
    far: Vec<(u32, u64)>,
    /// The line of event `k * EVERY`, for each `k`.
    marks: Vec<u64>,
    /// The file and line of the event last added.
    last: Option<(u16, u64)>,
}

impl Lines {
    /// Adds the next event, of file `file`, starting on line `line`.
    pub fn push(&mut self, file: u16, line: u64) {
        let i = self.steps.len();
        let step = match self.last {
            Some((f, l)) if f == file && line >= l && line - l < u64::from(FAR) => (line - l) as u8,
            _ => FAR,
        };
        if step == FAR {
            self.far.push((i as u32, line));
        }
        if i % EVERY == 0 {
            self.marks.push(line);
        }
        self.steps.push(step);
        self.last = Some((file, line));
    }

    /// The line event `i` starts on.
    pub fn line(&self, i: usize) -> u64 {
        let from = i / EVERY * EVERY;
        let mut line = self.marks[i / EVERY];
        let mut far = self.far.partition_point(|&(e, _)| (e as usize) <= from);
        for j in from + 1..=i {
            line = match self.steps[j] {
                FAR => {
                    far += 1;
                    self.far[far - 1].1
                }
                step => line + u64::from(step),
            };
        }
        line
    }

    /// Every event's line, in order.
    pub fn all(&self) -> Vec<u64> {
        let mut far = self.far.iter();
        let mut line = 0;
        (self.steps.iter())
            .map(|&step| {
                line = match step {
                    FAR => far.next().map_or(line, |&(_, l)| l),
                    step => line + u64::from(step),
                };
                line
            })
            .collect()
    }

    pub fn shrink(&mut self) {
        self.steps.shrink_to_fit();
        self.far.shrink_to_fit();
        self.marks.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.steps.capacity() + self.far.capacity() * 16 + self.marks.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_events_line_is_found_whatever_its_steps() {
        let mut lines = Lines::default();
        let mut want = Vec::new();
        let mut line = 1;
        for i in 0..2000u64 {
            // A new file every 700 events; steps of 0 (one line of an array), 1, many and far.
            let file = (i / 700) as u16;
            if i % 700 == 0 {
                line = 1;
            }
            line += [0, 1, 1, 3, 254, 255, 100_000][(i * 7 % 11 % 7) as usize];
            lines.push(file, line);
            want.push(line);
        }
        assert_eq!(lines.all(), want);
        for (i, &l) in want.iter().enumerate() {
            assert_eq!(lines.line(i), l, "event {i}");
        }
        assert!(lines.steps.len() == 2000 && lines.marks.len() == 2000usize.div_ceil(EVERY));
    }
}
