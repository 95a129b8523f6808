//! The permission table: data, not code. A row is (requesting agency kind, task, providing
//! agency kind, information item); an exchange not on a row is refused.

use std::{collections::HashMap, fmt, str::FromStr};

/// An enum whose every variant has an id in the permission table and a Japanese name:
/// the variants, `ALL`, `id`, `name_ja` and `FromStr` (refusing with `$err`), from one list.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $err:ident, { $($(#[$vdoc:meta])* $v:ident = ($id:literal, $ja:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$v),+];

            /// The id in the permission table.
            pub fn id(self) -> &'static str {
                match self { $(Self::$v => $id),+ }
            }

            /// The name in Japanese, as the law writes it.
            pub fn name_ja(self) -> &'static str {
                match self { $(Self::$v => $ja),+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.id())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl FromStr for $name {
            type Err = TableError;
            fn from_str(s: &str) -> Result<Self, TableError> {
                Self::ALL.iter().copied().find(|v| v.id() == s).ok_or_else(|| TableError::$err(s.chars().take(40).collect()))
            }
        }
    };
}

named_enum!(
    /// Kinds of agency, as the table names them. A node is one agency of one kind.
    AgencyKind, UnknownAgency, {
        Municipality = ("municipality", "市町村長"),
        Prefecture = ("prefecture", "都道府県知事"),
        /// The welfare office of a prefecture or city.
        WelfareOffice = ("welfare_office", "保護の実施機関"),
        PensionService = ("pension_service", "日本年金機構"),
        HealthInsurer = ("health_insurer", "健康保険組合等"),
        /// ハローワーク.
        HelloWork = ("hello_work", "公共職業安定所"),
        Jasso = ("jasso", "日本学生支援機構"),
        PrefecturalBoardOfEducation = ("prefectural_board_of_education", "都道府県教育委員会"),
        /// マイナポータル: asks only for a resident's own information (自己情報表示) and records.
        Portal = ("portal", "マイナポータル"),
        /// オンライン資格確認等システム (the role of 支払基金 and 国保中央会) and the PMH.
        Health = ("health", "社会保険診療報酬支払基金等"),
        /// 公金受取口座登録システム, run by the Digital Agency.
        AccountRegistry = ("account_registry", "デジタル庁（公金受取口座登録システム）"),
        /// 預金保険機構: links a resident's number to their bank accounts at the banks they
        /// choose (預貯金口座付番) and finds where accounts are (所在確認).
        DepositInsurance = ("deposit_insurance", "預金保険機構"),
        /// 国家資格等情報連携・活用システム, run by the Digital Agency for the qualifications'
        /// keepers: registrations without paper, and the holders' credentials.
        Qualifications = ("qualifications", "デジタル庁（国家資格等情報連携・活用システム）"),
    }
);

named_enum!(
    /// Information items (特定個人情報の項目) that travel on the network.
    InfoItem, UnknownItem, {
        ResidentRecord = ("resident_record", "住民票関係情報"),
        LocalTax = ("local_tax", "地方税関係情報"),
        PublicAssistance = ("public_assistance", "生活保護関係情報"),
        ChildRearingAllowance = ("child_rearing_allowance", "児童扶養手当関係情報"),
        /// 児童手当: the children paid for and the amount (the 2024 rules).
        ChildAllowance = ("child_allowance", "児童手当関係情報"),
        SpecialChildAllowance = ("special_child_allowance", "特別児童扶養手当関係情報"),
        Disability = ("disability", "障害者関係情報"),
        EmploymentInsurance = ("employment_insurance", "雇用保険関係情報"),
        PensionBenefit = ("pension_benefit", "年金給付関係情報"),
        MedicalInsurance = ("medical_insurance", "医療保険資格情報"),
        /// The account a person registered for public funds, and whether it can be paid into.
        PublicFundAccount = ("public_fund_account", "公金受取口座情報"),
        /// What the health node holds for a person: eligibility, reception checks and
        /// consents, medication, checkups, medical expenses, PMH records. Only the person sees
        /// it, through the portal (自己情報表示); no agency row provides it.
        MedicalInformation = ("medical_information", "医療情報（資格確認・薬剤・健診・医療費・PMH）"),
    }
);

/// Items only the resident reads, through the portal, and who holds them: not on any row of
/// the table, so no agency can ask for them.
pub const SELF_ONLY: &[(AgencyKind, InfoItem)] = &[(AgencyKind::Health, InfoItem::MedicalInformation)];

/// Whether `item` is one only the resident reads (held by whoever holds it).
pub fn is_self_only(item: InfoItem) -> bool {
    SELF_ONLY.iter().any(|&(_, i)| i == item)
}

/// A task (事務) id: lower-case ASCII letters, digits and `_`, 1 to 64 of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskId(String);

impl TryFrom<String> for TaskId {
    type Error = TableError;
    fn try_from(s: String) -> Result<Self, TableError> {
        s.parse()
    }
}

impl From<TaskId> for String {
    fn from(t: TaskId) -> String {
        t.0
    }
}

impl TaskId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TaskId {
    type Err = TableError;
    fn from_str(s: &str) -> Result<Self, TableError> {
        if crate::ids::is_valid_id(s, b"") {
            Ok(Self(s.to_string()))
        } else {
            Err(TableError::BadTask(s.chars().take(40).collect()))
        }
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("unknown agency kind {0:?}")]
    UnknownAgency(String),
    #[error("unknown information item {0:?}")]
    UnknownItem(String),
    #[error("a task id is 1–64 of a–z, 0–9 and _, got {0:?}")]
    BadTask(String),
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub requester: AgencyKind,
    pub task: TaskId,
    /// The task's name in Japanese, as the law names it.
    pub task_name: String,
    pub law: String,
    pub provider: AgencyKind,
    pub item: InfoItem,
    /// The paper attachment the exchange replaces (省略可能な書類).
    pub replaces: String,
}

type Key = (AgencyKind, TaskId, AgencyKind, InfoItem);

#[derive(Debug, Clone)]
pub struct PermissionTable {
    rows: Vec<Permission>,
    /// Each row's place in `rows`, by its key.
    index: HashMap<Key, usize>,
}

const SHIPPED: &str = include_str!("../data/permissions.tsv");

impl PermissionTable {
    /// The table shipped in `data/permissions.tsv`.
    pub fn shipped() -> Result<Self, TableError> {
        Self::parse(SHIPPED)
    }

    /// Reads a table: tab-separated rows of 7 columns, `#` comments and blank lines skipped.
    /// A malformed or repeated row is refused with its line number.
    pub fn parse(text: &str) -> Result<Self, TableError> {
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let at = |reason: String| TableError::Line { line, reason };
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = raw.split('\t').map(str::trim).collect();
            let [requester, task, task_name, law, provider, item, replaces] = cols[..] else {
                return Err(at(format!("expected 7 tab-separated columns, found {}", cols.len())));
            };
            if task_name.is_empty() || law.is_empty() {
                return Err(at("the task's name and its law must be given".into()));
            }
            let p = Permission {
                requester: requester.parse().map_err(|e: TableError| at(e.to_string()))?,
                task: task.parse().map_err(|e: TableError| at(e.to_string()))?,
                task_name: task_name.to_string(),
                law: law.to_string(),
                provider: provider.parse().map_err(|e: TableError| at(e.to_string()))?,
                item: item.parse().map_err(|e: TableError| at(e.to_string()))?,
                replaces: replaces.to_string(),
            };
            if is_self_only(p.item) {
                return Err(at(format!(
                    "{} is read only by the resident, through the portal: no row may provide it",
                    p.item.id()
                )));
            }
            if index.insert((p.requester, p.task.clone(), p.provider, p.item), rows.len()).is_some() {
                return Err(at(format!("repeats the row for {} / {} / {}", p.task, p.provider.id(), p.item.id())));
            }
            rows.push(p);
        }
        Ok(Self { rows, index })
    }

    /// Whether `requester`, doing `task`, may ask `provider` for `item`.
    pub fn allows(&self, requester: AgencyKind, task: &TaskId, provider: AgencyKind, item: InfoItem) -> bool {
        self.row(requester, task, provider, item).is_some()
    }

    /// The row that lets `requester`, doing `task`, ask `provider` for `item`.
    pub fn row(
        &self,
        requester: AgencyKind,
        task: &TaskId,
        provider: AgencyKind,
        item: InfoItem,
    ) -> Option<&Permission> {
        self.index.get(&(requester, task.clone(), provider, item)).and_then(|&i| self.rows.get(i))
    }

    pub fn rows(&self) -> &[Permission] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(t: &PermissionTable, r: &str, task: &str, p: &str, item: &str) -> bool {
        t.allows(r.parse().unwrap(), &task.parse().unwrap(), p.parse().unwrap(), item.parse().unwrap())
    }

    #[test]
    fn the_shipped_table_holds_the_seed_rows() {
        let t = PermissionTable::shipped().unwrap();
        assert!(t.rows().len() >= 40, "{}", t.rows().len());
        // REFERENCE.md §4's examples.
        assert!(allows(&t, "municipality", "child_allowance", "municipality", "local_tax"));
        assert!(allows(&t, "municipality", "nursing_care_premium_reduction", "municipality", "local_tax"));
        assert!(allows(&t, "municipality", "child_rearing_allowance", "municipality", "resident_record"));
        for (p, item) in
            [("municipality", "local_tax"), ("welfare_office", "public_assistance"), ("prefecture", "disability")]
        {
            assert!(allows(&t, "municipality", "public_housing", p, item), "{item}");
        }
        assert!(allows(&t, "pension_service", "pension_award", "municipality", "resident_record"));
        assert!(allows(&t, "pension_service", "national_pension_exemption", "municipality", "local_tax"));
    }

    #[test]
    fn what_is_not_on_a_row_is_refused() {
        let t = PermissionTable::shipped().unwrap();
        // The right item for another task, another requester, or another provider.
        assert!(!allows(&t, "municipality", "child_allowance", "pension_service", "pension_benefit"));
        assert!(!allows(&t, "jasso", "child_allowance", "municipality", "local_tax"));
        assert!(!allows(&t, "municipality", "child_allowance", "prefecture", "local_tax"));
        assert!(!allows(&t, "municipality", "no_such_task", "municipality", "local_tax"));
    }

    #[test]
    fn bad_rows_are_refused_with_the_line_and_reason() {
        let row = "municipality\tchild_allowance\t児童手当の認定\t児童手当法\tmunicipality\tlocal_tax\t課税証明書";
        assert_eq!(PermissionTable::parse(row).unwrap().rows().len(), 1);
        let cases = [
            ("# c\nmunicipality\tchild_allowance", "line 2: expected 7 tab-separated columns, found 2"),
            (&row.replace("municipality\tchild", "city\tchild"), "unknown agency kind \"city\""),
            (&row.replace("local_tax", "tax"), "unknown information item \"tax\""),
            (&row.replace("child_allowance", "Child Allowance"), "a task id is"),
            (&row.replace("児童手当法", ""), "must be given"),
            (&format!("{row}\n\n{row}"), "line 3: repeats the row"),
        ];
        for (text, want) in cases {
            let e = PermissionTable::parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{e} should contain {want}");
        }
    }

    #[test]
    fn every_kind_and_item_round_trips_its_id() {
        for &k in AgencyKind::ALL {
            assert_eq!(k.id().parse::<AgencyKind>().unwrap(), k);
            assert!(!k.name_ja().is_empty());
        }
        for &i in InfoItem::ALL {
            assert_eq!(i.id().parse::<InfoItem>().unwrap(), i);
            assert!(!i.name_ja().is_empty());
        }
        assert_eq!(AgencyKind::Jasso.name_ja(), "日本学生支援機構");
        assert_eq!(InfoItem::LocalTax.name_ja(), "地方税関係情報");
    }
}
