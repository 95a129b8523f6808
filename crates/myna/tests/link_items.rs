//! Linking a number with the agency's own 4 items (issue 20, at the source): J-LIS links only
//! when they are the number's resident's — notations and old character forms folded — and
//! says which item differs; fewer than the rule's items, or a number with a wrong check digit,
//! are refused with the reason.

use myna_link::Enrolment;
use myna_linkage::agency;
use myna_testnet::{TestNet, any, db};

#[tokio::test]
async fn a_number_links_only_with_its_residents_four_items() {
    let net = TestNet::start("link-items", 11).await;
    let hanako = net.born("b0", "髙橋 花子", "タカハシ ハナコ").await;
    let taro = net.born_in("b1", "髙橋 太郎", "タカハシ タロウ", Some(hanako.household)).await;
    let pension = agency::start(db().await, &net.identity("pension_service"), any(), net.config("日本年金機構"))
        .await
        .unwrap()
        .agency;
    pension.register().await.unwrap();
    let items = |number: &str, name: &str, birth: &str, sex: Option<&str>, address: &str| Enrolment::Items {
        number: number.into(),
        name: name.into(),
        birth: birth.into(),
        sex: sex.map(str::to_string),
        address: address.into(),
    };
    let err = |e: myna_linkage::agency::AgencyError| e.to_string();

    // Her own items, written as a form would: the old character form, full-width digits.
    let code = pension
        .obtain_code(items(&hanako.number, "高橋 花子", "1990-04-01", Some("female"), "千代田区千代田１－１"))
        .await
        .unwrap();
    // The same person by number alone gets the same code.
    assert_eq!(pension.obtain_code(Enrolment::Number { number: hanako.number.clone() }).await.unwrap(), code);
    // 3 items without sex are enough.
    pension
        .obtain_code(items(&hanako.number, "髙橋 花子", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap();

    // The family swap: her number, her son's items.
    let e = err(pension
        .obtain_code(items(&hanako.number, "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("name") && e.contains("not linked"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1991-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("date of birth"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", Some("male"), "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("sex"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", None, "大阪府大阪市北区梅田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("address"), "{e}");
    // Two items only, and a mistyped number.
    let e = err(pension.obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", None, "")).await.unwrap_err());
    assert!(e.contains("missing: address"), "{e}");
    let mut wrong = taro.number.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let e = err(pension
        .obtain_code(items(&wrong, "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("check digit"), "{e}");
}
