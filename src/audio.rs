//! Checks WAV prompts before they are uploaded, and streams them out as base64.
//!
//! Phone providers play prompts in the telephony format only: 8000 Hz, mono,
//! 16-bit PCM. [`inspect_file`] walks the RIFF chunks itself, because a
//! decoder's errors are too coarse to tell a person what to do (and hound
//! accepts truncated files), then has hound decode the first and last frame
//! to be sure the samples are really there. Every [`AudioProblem`] comes
//! with a [`fix`](AudioProblem::fix).

mod encode;
mod format;
mod info;
mod problem;
mod riff;

use std::fs::{self, File};
use std::io::{Read, Seek};
use std::path::Path;

pub use encode::{encode_base64, encoded_len};
pub use format::{Encoding, Format, FourCc, SUBTYPE_PCM};
pub use info::WavInfo;
pub(crate) use problem::sox_command;
pub use problem::{AudioProblem, Place};

/// The upload limit callers use unless configured otherwise: 16 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Opens and checks the WAV file at `path`; files over `max_bytes` are
/// refused before any of their content is read.
///
/// Cost does not grow with the file: only headers, the `fmt ` chunk and the
/// first and last frame are read.
pub fn inspect_file(path: &Path, max_bytes: u64) -> Result<WavInfo, AudioProblem> {
    // Look before opening: opening a FIFO would block until someone writes to it.
    let meta = fs::metadata(path).map_err(|e| AudioProblem::io(&e))?;
    if !meta.is_file() {
        return Err(AudioProblem::NotAFile {
            is_dir: meta.is_dir(),
        });
    }
    let file = File::open(path).map_err(|e| AudioProblem::io(&e))?;
    // The length of what was opened, in case the path changed hands meanwhile.
    let size = file.metadata().map_err(|e| AudioProblem::io(&e))?.len();
    if size > max_bytes {
        return Err(AudioProblem::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    inspect(file, size)
}

/// Checks a WAV file of `file_len` bytes read from `reader`: the header walk,
/// the format check and the decoder cross-check of [`inspect_file`], without
/// the size limit.
///
/// `file_len` bounds every offset; a reader that ends sooner makes the file
/// count as truncated. No input panics, and nothing is allocated by a size
/// field read from the file.
pub fn inspect<R: Read + Seek>(reader: R, file_len: u64) -> Result<WavInfo, AudioProblem> {
    riff::inspect(reader, file_len)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use std::collections::BTreeMap;
    use std::io::{self, Cursor, SeekFrom};
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::*;

    fn fixture_dir(kind: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/audio")
            .join(kind)
    }

    fn fixtures(kind: &str) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = fs::read_dir(fixture_dir(kind))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "wav"))
            .collect();
        paths.sort();
        paths
    }

    /// The `sox` commands the fixes suggest really produce files outdial accepts. sox is
    /// installed by `.ci/run`; locally, a missing sox is a visible skip.
    #[test]
    #[allow(clippy::print_stderr)]
    fn suggested_sox_conversions_produce_accepted_files() {
        if std::process::Command::new("sox")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "sox is required on CI (.ci/run installs it)"
            );
            eprintln!("SKIPPED: sox is not installed; the suggested conversions were not run");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut converted = 0;
        let mut refused = 0;
        for fixture in fixtures("bad") {
            // A quote in the name: the fix must quote it for the shell.
            let stem = format!("it's {}", fixture.file_stem().unwrap().to_string_lossy());
            let copy = dir.path().join(format!("{stem}.wav"));
            fs::copy(&fixture, &copy).unwrap();
            let problem = inspect_file(&copy, DEFAULT_MAX_BYTES).unwrap_err();
            let fix = problem.fix(&copy);
            let Some(command) = fix.strip_prefix("convert it: ") else {
                // A wrong format without a sox command: sox must really fail on it (exit
                // non-zero, or write a file outdial still refuses), or the advice withholds a
                // working conversion.
                if matches!(
                    problem,
                    AudioProblem::WrongFormat { .. } | AudioProblem::Rifx { .. }
                ) {
                    let output = dir.path().join(format!("{stem}-tried.wav"));
                    let status = std::process::Command::new("sox")
                        .arg(&copy)
                        .args(["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"])
                        .arg(&output)
                        .stderr(std::process::Stdio::null())
                        .status()
                        .unwrap();
                    assert!(
                        !status.success() || inspect_file(&output, DEFAULT_MAX_BYTES).is_err(),
                        "{}: sox converts it, but the fix says {fix:?}",
                        name(&fixture)
                    );
                    refused += 1;
                }
                continue;
            };
            let status = std::process::Command::new("sh")
                .args(["-c", command])
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "{}: `{command}` failed", name(&fixture));
            let output = dir.path().join(format!("{stem}-8k.wav"));
            let info = inspect_file(&output, DEFAULT_MAX_BYTES);
            assert!(
                info.is_ok(),
                "{}: converted file rejected: {info:?}",
                name(&fixture)
            );
            converted += 1;
        }
        // Every convertible kind among the fixtures (wrong rates, channels, depths, codecs,
        // RIFX) was run; fewer means the fixes or fixtures changed.
        assert!(
            converted >= 12,
            "only {converted} fixes were sox conversions"
        );
        // Exotic bit depths, padded and 0 valid bits, big-endian extensible.
        assert!(
            refused >= 9,
            "only {refused} wrong formats had no sox command"
        );
    }

    fn name(path: &Path) -> String {
        path.file_name().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn every_good_fixture_passes() {
        let good = fixtures("good");
        assert!(good.len() >= 5, "{good:?}");
        for path in good {
            let info = inspect_file(&path, DEFAULT_MAX_BYTES)
                .unwrap_or_else(|p| panic!("{}: {p} ({})", name(&path), p.code()));
            assert_eq!(info.file_len, fs::metadata(&path).unwrap().len());
            assert_eq!(
                info.encoding().describe().split(" PCM").next(),
                Some("8000 Hz mono 16-bit")
            );
            // make.sh writes 50 ms of audio into each.
            assert_eq!((info.data_len, info.frames), (800, 400), "{}", name(&path));
            assert_eq!(info.duration(), Duration::from_millis(50));
            let extensible = matches!(info.format, Format::Extensible { .. });
            assert_eq!(extensible, name(&path) == "extensible.wav");
        }
    }

    /// The verdict for each bad fixture; every file in `bad/` must be listed.
    const BAD: &[(&str, &str)] = &[
        ("16k.wav", "audio::wrong-format"),
        ("24bit.wav", "audio::wrong-format"),
        ("44k-stereo.wav", "audio::wrong-format"),
        ("8bit.wav", "audio::wrong-format"),
        ("8k-stereo.wav", "audio::wrong-format"),
        ("adpcm.wav", "audio::wrong-format"),
        ("alaw.wav", "audio::wrong-format"),
        ("avi.wav", "audio::not-wave"),
        ("block-align.wav", "audio::bad-block-align"),
        ("data-size-ffffffff.wav", "audio::data-truncated"),
        ("empty-data.wav", "audio::empty-data"),
        ("empty.wav", "audio::empty-file"),
        ("extensible-0-valid-bits.wav", "audio::wrong-format"),
        ("extensible-12-valid-bits.wav", "audio::wrong-format"),
        ("extensible-cbsize.wav", "audio::bad-extensible"),
        ("extensible-float.wav", "audio::wrong-format"),
        ("float32.wav", "audio::wrong-format"),
        ("fmt-after-data.wav", "audio::fmt-after-data"),
        ("fmt-huge.wav", "audio::fmt-too-large"),
        ("fmt-small.wav", "audio::fmt-too-small"),
        ("mp3.wav", "audio::not-wav"),
        ("no-data.wav", "audio::no-data"),
        ("no-fmt.wav", "audio::no-fmt"),
        ("ragged-data.wav", "audio::ragged-data"),
        ("rf64.wav", "audio::rf64"),
        ("rifx.wav", "audio::rifx"),
        ("text.wav", "audio::not-wav"),
        ("truncated-chunk-header.wav", "audio::truncated"),
        ("truncated-data.wav", "audio::data-truncated"),
        ("truncated-header.wav", "audio::truncated"),
        ("truncated-riff-header.wav", "audio::truncated"),
        ("ulaw.wav", "audio::wrong-format"),
        ("pcm-5bit.wav", "audio::wrong-format"),
        ("pcm-12bit.wav", "audio::wrong-format"),
        ("pcm-20bit.wav", "audio::wrong-format"),
        ("pcm-36bit.wav", "audio::wrong-format"),
        ("pcm-45bit.wav", "audio::wrong-format"),
        ("pcm-53bit.wav", "audio::wrong-format"),
        ("rifx-extensible.wav", "audio::rifx"),
        ("zero-bits.wav", "audio::zero-bits"),
    ];

    #[test]
    fn every_bad_fixture_gets_its_verdict() {
        let want: BTreeMap<&str, &str> = BAD.iter().copied().collect();
        let mut got = BTreeMap::new();
        for path in fixtures("bad") {
            let problem = inspect_file(&path, DEFAULT_MAX_BYTES).expect_err(&name(&path));
            got.insert(name(&path), problem.code());
        }
        let got: BTreeMap<&str, &str> = got.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(got, want);
    }

    /// What a person sees for a problem: the code, the sentence and the fix.
    fn report(problem: &AudioProblem, path: &Path) -> String {
        format!("{}\n{problem}\nfix: {}", problem.code(), problem.fix(path))
    }

    #[test]
    fn bad_fixture_messages() {
        insta::glob!("../tests/fixtures/audio/bad", "*.wav", |path| {
            let problem = inspect_file(path, DEFAULT_MAX_BYTES).unwrap_err();
            // A stable, relative path, as a campaign would name it.
            let shown = Path::new("prompts").join(name(path));
            insta::assert_snapshot!(report(&problem, &shown));
        });
    }

    #[test]
    fn file_level_problems() {
        let good = fixture_dir("good").join("pcm.wav");
        let missing = fixture_dir("good").join("no-such.wav");
        let shown = Path::new("prompts/hello.wav");
        let mut out = String::new();
        for problem in [
            inspect_file(&good, 100).unwrap_err(),
            inspect_file(&missing, DEFAULT_MAX_BYTES).unwrap_err(),
            inspect_file(&fixture_dir("good"), DEFAULT_MAX_BYTES).unwrap_err(),
            AudioProblem::TooLarge {
                size: 40 << 20,
                limit: DEFAULT_MAX_BYTES,
            },
            AudioProblem::Io {
                kind: io::ErrorKind::PermissionDenied,
                message: "Permission denied (os error 13)".to_owned(),
            },
            AudioProblem::TooManyChunks {
                limit: riff::MAX_CHUNKS,
            },
            AudioProblem::Undecodable {
                message: "Failed to read enough bytes.".to_owned(),
            },
        ] {
            out += &report(&problem, shown);
            out += "\n\n";
        }
        insta::assert_snapshot!(out);
    }

    /// A read-only view of `header` followed by zeros up to `len` bytes,
    /// counting the bytes handed out: a stand-in for a huge file on disk.
    struct Synthetic {
        header: Vec<u8>,
        len: u64,
        pos: u64,
        bytes_read: u64,
    }

    impl Synthetic {
        fn new(header: &[u8], len: u64) -> Self {
            Synthetic {
                header: header.to_vec(),
                len,
                pos: 0,
                bytes_read: 0,
            }
        }
    }

    impl Read for Synthetic {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let left = self.len.saturating_sub(self.pos);
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let at = self.pos + i as u64;
                *b = usize::try_from(at)
                    .ok()
                    .and_then(|at| self.header.get(at))
                    .copied()
                    .unwrap_or(0);
            }
            self.pos += n as u64;
            self.bytes_read += n as u64;
            Ok(n)
        }
    }

    impl Seek for Synthetic {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                SeekFrom::Current(d) => self.pos.checked_add_signed(d).unwrap(),
                SeekFrom::End(d) => self.len.checked_add_signed(d).unwrap(),
            };
            Ok(self.pos)
        }
    }

    fn canonical_header(data_len: u32) -> Vec<u8> {
        let mut h = fs::read(fixture_dir("good").join("pcm.wav")).unwrap();
        h.truncate(40);
        h.extend_from_slice(&data_len.to_le_bytes());
        h[4..8].copy_from_slice(&data_len.wrapping_add(36).to_le_bytes());
        h
    }

    #[test]
    fn a_riff_size_other_than_the_files_is_an_error_with_its_fix() {
        let good = fs::read(fixture_dir("good").join("pcm.wav")).unwrap();
        let len = good.len() as u64;
        assert!(inspect(Cursor::new(&good), len).is_ok());
        for claimed in [u32::MAX, 0, len as u32 - 10, len as u32 - 6] {
            let mut bytes = good.clone();
            bytes[4..8].copy_from_slice(&claimed.to_le_bytes());
            let problem = inspect(Cursor::new(&bytes), len).unwrap_err();
            assert_eq!(
                problem,
                AudioProblem::RiffSize {
                    claimed,
                    file_len: len
                }
            );
            assert_eq!(problem.code(), "audio::riff-size");
            assert!(
                problem
                    .to_string()
                    .contains(&format!("says the file holds {claimed} bytes"))
            );
            let fix = problem.fix(Path::new("prompts/a b.wav"));
            assert!(
                fix.starts_with("write the file again") && fix.contains("sox 'prompts/a b.wav'"),
                "{fix}"
            );
        }
    }

    #[test]
    fn a_100_mb_file_is_checked_by_reading_a_few_bytes() {
        let data_len = 100_000_000;
        let mut reader = Synthetic::new(&canonical_header(data_len), 44 + u64::from(data_len));
        let info = inspect(&mut reader, 44 + u64::from(data_len)).unwrap();
        assert_eq!(info.frames, u64::from(data_len) / 2);
        assert!(reader.bytes_read < 100, "read {} bytes", reader.bytes_read);
    }

    #[test]
    fn a_100_mb_file_on_disk_is_quick_and_the_limit_is_applied() {
        let data_len: u32 = 100_000_000;
        let file = tempfile::NamedTempFile::new().unwrap();
        fs::write(file.path(), canonical_header(data_len)).unwrap();
        // Sparse: the zeros are never written, and never read either.
        file.as_file().set_len(44 + u64::from(data_len)).unwrap();
        let started = std::time::Instant::now();
        let info = inspect_file(file.path(), u64::MAX).unwrap();
        assert_eq!(info.duration(), Duration::from_secs(6250));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        let problem = inspect_file(file.path(), DEFAULT_MAX_BYTES).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "the file is 95.3 MiB (100000044 bytes), more than the upload limit of 16 MiB (16777216 bytes)"
        );
    }

    #[test]
    fn a_data_size_of_ffffffff_is_reported_without_reading_or_allocating_for_it() {
        // Allocation cannot be counted here (unsafe_code is forbidden, so no
        // counting global allocator); reading stays within the headers, and
        // the walker holds only fixed-size arrays.
        let mut reader = Synthetic::new(&canonical_header(u32::MAX), 1244);
        let problem = inspect(&mut reader, 1244).unwrap_err();
        assert_eq!(
            problem,
            AudioProblem::DataTruncated {
                claimed: u32::MAX,
                available: 1200
            }
        );
        assert_eq!(
            problem.to_string(),
            "the data chunk claims 4294967295 bytes but the file ends after 1200 of them"
        );
        assert!(reader.bytes_read <= 44, "read {} bytes", reader.bytes_read);
    }

    #[test]
    fn a_reader_shorter_than_its_claimed_length_counts_as_truncated() {
        let bytes = fs::read(fixture_dir("good").join("pcm.wav")).unwrap();
        for cut in [0, 5, 20, 30, 40, 44, 100] {
            let claimed = bytes.len() as u64;
            let problem = inspect(Cursor::new(&bytes[..cut]), claimed).unwrap_err();
            let code = problem.code();
            assert!(
                matches!(code, "audio::truncated" | "audio::undecodable"),
                "cut at {cut}: {code} {problem}"
            );
        }
    }

    #[test]
    fn chunk_walk_gives_up_after_the_limit() {
        let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
        for _ in 0..=riff::MAX_CHUNKS {
            bytes.extend_from_slice(b"junk\0\0\0\0");
        }
        let len = bytes.len() as u64;
        let problem = inspect(Cursor::new(bytes), len).unwrap_err();
        assert_eq!(problem.code(), "audio::too-many-chunks");
    }

    #[test]
    fn good_fixtures_survive_base64_exactly() {
        use base64::Engine as _;
        for path in fixtures("good") {
            let bytes = fs::read(&path).unwrap();
            let mut encoded = Vec::new();
            let read = encode_base64(File::open(&path).unwrap(), &mut encoded).unwrap();
            assert_eq!(read, bytes.len() as u64);
            assert_eq!(encoded.len() as u64, encoded_len(read));
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&encoded)
                .unwrap();
            assert_eq!(decoded, bytes, "{}", name(&path));
        }
    }

    fn good_bytes() -> Vec<Vec<u8>> {
        fixtures("good")
            .iter()
            .map(|p| fs::read(p).unwrap())
            .collect()
    }

    /// Most of a good file is samples; aim half the edits at the first 64 bytes,
    /// where the headers are. The position is taken modulo the file's length.
    fn header_biased_position() -> impl Strategy<Value = usize> {
        prop_oneof![0usize..64, any::<usize>()]
    }

    /// One chunk: a plausible id, a size that is mostly honest but sometimes
    /// small or absurd, and a body that is random or a format description
    /// leaning towards the accepted one, so that every verdict, acceptance
    /// included, is reached.
    fn chunk() -> impl Strategy<Value = Vec<u8>> {
        let id = prop::sample::select(vec![*b"fmt ", *b"data", *b"LIST", *b"fact", *b"junk"]);
        let fmt_head = (
            prop::sample::select(vec![1u16, 1, 0xFFFE, 3, 7]),
            prop::sample::select(vec![1u16, 1, 2, 0]),
            prop::sample::select(vec![8000u32, 8000, 44100]),
            prop::sample::select(vec![2u16, 2, 0, 4]),
            prop::sample::select(vec![16u16, 16, 8, 24]),
        )
            .prop_map(|(tag, ch, rate, align, bits)| {
                let mut b = Vec::new();
                b.extend_from_slice(&tag.to_le_bytes());
                b.extend_from_slice(&ch.to_le_bytes());
                b.extend_from_slice(&rate.to_le_bytes());
                b.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
                b.extend_from_slice(&align.to_le_bytes());
                b.extend_from_slice(&bits.to_le_bytes());
                b.extend_from_slice(&22u16.to_le_bytes());
                b.extend_from_slice(&16u16.to_le_bytes());
                b.extend_from_slice(&4u32.to_le_bytes());
                b.extend_from_slice(&SUBTYPE_PCM);
                b
            });
        let body = prop_oneof![proptest::collection::vec(any::<u8>(), 0..48), fmt_head];
        let size = prop_oneof![
            6 => Just(None),
            1 => (0u32..64).prop_map(Some),
            1 => any::<u32>().prop_map(Some),
        ];
        let keep = prop_oneof![3 => Just(usize::MAX), 1 => 0usize..=40];
        (id, body, size, keep).prop_map(|(id, body, size, keep)| {
            let body = &body[..keep.min(body.len())];
            let size = size.unwrap_or(body.len() as u32);
            let mut c = id.to_vec();
            c.extend_from_slice(&size.to_le_bytes());
            c.extend_from_slice(body);
            if size % 2 == 1 && body.len() == size as usize {
                c.push(0);
            }
            c
        })
    }

    /// Whatever `inspect` says must be self-consistent: an accepted file is
    /// telephony audio that fits inside the file.
    fn check_verdict(
        verdict: Result<WavInfo, AudioProblem>,
        file_len: u64,
    ) -> Result<(), TestCaseError> {
        if let Ok(info) = verdict {
            prop_assert!(info.encoding().is_telephony());
            prop_assert!(info.data_len > 0 && info.data_len + 44 <= file_len);
            prop_assert_eq!(info.frames * 2, info.data_len);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let len = bytes.len() as u64;
            let _ = inspect(Cursor::new(bytes), len);
        }

        #[test]
        fn arbitrary_chunks_after_a_wave_header_never_panic(
            tail in proptest::collection::vec(any::<u8>(), 0..512),
            riff_size in any::<u32>(),
        ) {
            let mut bytes = b"RIFF".to_vec();
            bytes.extend_from_slice(&riff_size.to_le_bytes());
            bytes.extend_from_slice(b"WAVE");
            bytes.extend_from_slice(&tail);
            let len = bytes.len() as u64;
            let _ = inspect(Cursor::new(bytes), len);
        }

        #[test]
        fn chunk_sequences_never_panic(
            chunks in proptest::collection::vec(chunk(), 0..6),
            // Now and then the caller claims a longer file than the reader holds.
            claimed_extra in prop_oneof![4 => Just(0u64), 1 => 1u64..3],
        ) {
            let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
            for c in chunks {
                bytes.extend_from_slice(&c);
            }
            let len = bytes.len() as u64 + claimed_extra;
            check_verdict(inspect(Cursor::new(bytes), len), len)?;
        }

        #[test]
        fn mutated_good_files_never_panic(
            which in 0usize..64,
            edits in proptest::collection::vec((header_biased_position(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            claimed_extra in 0u64..4,
        ) {
            let all = good_bytes();
            let mut bytes = all[which % all.len()].clone();
            for (at, value) in edits {
                let i = at % bytes.len();
                bytes[i] = value;
            }
            // Sometimes cut the file short, and sometimes claim more length
            // than the reader really has.
            let keep = if claimed_extra == 0 { cut.index(bytes.len() + 1) } else { bytes.len() };
            bytes.truncate(keep);
            let len = bytes.len() as u64 + claimed_extra.saturating_sub(1) * 1000;
            check_verdict(inspect(Cursor::new(bytes), len), len)?;
        }
    }
}
