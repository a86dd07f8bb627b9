//! A campaign prepared for its provider: the provider-neutral [`Campaign`] and the
//! [`Provider`] built from its table, side by side, and what needs both (planning's shape,
//! a post's bytes and hash). Sits above the campaign, the plan and the providers.

use std::ops::Deref;

use crate::campaign::validated::Campaign;
use crate::digest::HashingWriter;
use crate::plan::{Post, Shape, ToPlan};
use crate::provider::{EncodeError, Provider};

/// A loaded campaign and the provider it is sent to. Reads as its [`Campaign`] (it derefs
/// to it); [`Prepared::provider`] is the provider with its settings.
#[derive(Debug)]
pub struct Prepared {
    campaign: Campaign,
    provider: Box<dyn Provider>,
}

impl Prepared {
    /// `campaign` with the provider built from its table.
    pub fn new(campaign: Campaign, provider: Box<dyn Provider>) -> Prepared {
        Prepared { campaign, provider }
    }

    /// The provider the campaign is sent to, with its settings.
    pub fn provider(&self) -> &dyn Provider {
        self.provider.as_ref()
    }
}

impl Deref for Prepared {
    type Target = Campaign;

    fn deref(&self) -> &Campaign {
        &self.campaign
    }
}

impl ToPlan for Prepared {
    fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    fn shape(&self) -> Shape {
        Shape {
            batch_size: self.provider.limits().batch_size,
            uploads_audio: self.provider.uploads_audio(),
        }
    }
}

/// [`encode_to_vec`] as sent at `now` (see [`Provider::encode_at`]): what `compile` and
/// `--dry-run` show.
pub fn encode_to_vec_at(
    campaign: &Prepared,
    post: &Post<'_>,
    now: jiff::Timestamp,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(capacity_for(campaign, post));
    campaign
        .provider()
        .encode_into(campaign, post, None, now, &mut out)?;
    Ok(out)
}

/// About what a post takes, so a large post is not copied again and again as it grows (a
/// batch of 500 numbers is some 100 KB).
fn capacity_for(campaign: &Prepared, post: &Post<'_>) -> usize {
    let per_number = 96 + 192 * campaign.prompts.len();
    256 + post.body.recipients().len() * per_number
}

/// The SHA-256 (hex) of `post` as `compile` renders it, without credentials, in the clock-free
/// form (what the journal records and a saved plan pins). An upload is streamed into the
/// hash, never held whole.
pub fn post_sha256(campaign: &Prepared, post: &Post<'_>) -> Result<String, EncodeError> {
    let mut w = HashingWriter::new(std::io::sink());
    campaign.provider().encode(campaign, post, None, &mut w)?;
    Ok(w.finish().1)
}

/// `post` encoded by the campaign's provider into a new byte vector, without credentials:
/// what `compile` shows and what the journal hashes. (Uploads stream instead: see
/// [`Provider::encode`].)
pub fn encode_to_vec(campaign: &Prepared, post: &Post<'_>) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(capacity_for(campaign, post));
    campaign.provider().encode(campaign, post, None, &mut out)?;
    Ok(out)
}
