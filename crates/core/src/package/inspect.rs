//! Seeing each file's plaintext where it passes anyway: as it is read for encryption, and as
//! it is decrypted before it is committed. A malware scanner is the reason (MyGovUC guideline
//! 3.2 A ii 7), but this module knows nothing of one: the client library plugs its scanner in.
//!
//! The package code calls an [`Inspector`] on the thread that encrypts or decrypts, in payload
//! order. When the inspector answers [`Stop`], the operation ends with
//! [`super::EncryptError::Stopped`] or [`super::DecryptError::Stopped`] and the usual
//! all-or-nothing rules apply (no file is saved; the partial ciphertext is never completed).
//! Why it stopped is the inspector's to keep and tell: the package code has no words for it.

/// The inspector's answer: stop the operation now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Something that sees every file's plaintext, in order, and may stop the operation.
pub trait Inspector {
    /// A file starts (`index` in manifest order, `name` as the manifest gives it).
    fn begin(&mut self, index: usize, name: &str) -> Result<(), Stop>;
    /// The file's next bytes.
    fn bytes(&mut self, data: &[u8]) -> Result<(), Stop>;
    /// The file's last byte was seen. Encryption calls this before it writes the file's hash,
    /// so a package whose inspection stops is never complete; decryption before the file is
    /// staged for the commit.
    fn end(&mut self) -> Result<(), Stop>;
}

/// Sees nothing, stops nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoInspection;

impl Inspector for NoInspection {
    fn begin(&mut self, _: usize, _: &str) -> Result<(), Stop> {
        Ok(())
    }
    fn bytes(&mut self, _: &[u8]) -> Result<(), Stop> {
        Ok(())
    }
    fn end(&mut self) -> Result<(), Stop> {
        Ok(())
    }
}
