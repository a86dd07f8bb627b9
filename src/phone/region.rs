//! The `region` setting: how numbers written without `+` are read (NANP regions only).

/// A `region` setting: how numbers written without `+` are read. Only the regions of the North
/// American Numbering Plan (country code 1: US, CA, PR, …) are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

/// Why a `region` setting is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// Not a CLDR region code.
    #[error("\"{0}\" is not a region code")]
    Unknown(String),
    /// A real region outside NANP.
    #[error("region {0} dials country code +{1}; only NANP regions (country code 1) are read")]
    NotNanp(String, u16),
}

impl RegionError {
    /// The message, naming `provider` (its display name) where the rule is the provider's.
    pub fn message(&self, provider: &str) -> String {
        match self {
            RegionError::NotNanp(region, code) => format!(
                "region {region} dials country code +{code}; {provider} calls NANP numbers only (country code 1)"
            ),
            other => other.to_string(),
        }
    }
}

impl Region {
    /// The United States, the default.
    pub const US: Region = Region(phonenumber::country::Id::US);

    /// Parses a region code such as `US` or `CA`, accepting only NANP regions.
    pub fn parse(code: &str) -> Result<Region, RegionError> {
        let upper = code.trim().to_ascii_uppercase();
        let id: phonenumber::country::Id = upper
            .parse()
            .map_err(|_| RegionError::Unknown(code.to_string()))?;
        let meta = phonenumber::metadata::DATABASE
            .by_id(id.as_ref())
            .ok_or_else(|| RegionError::Unknown(code.to_string()))?;
        match meta.country_code() {
            1 => Ok(Region(id)),
            cc => Err(RegionError::NotNanp(upper, cc)),
        }
    }

    /// The region's libphonenumber id.
    pub(super) fn id(&self) -> phonenumber::country::Id {
        self.0
    }

    /// The region code, e.g. `US`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}
