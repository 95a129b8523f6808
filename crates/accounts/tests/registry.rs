//! The account registry on each back end: what the 2023 inspection found later is refused or
//! held at registration.

use myna_accounts::{Channel, Registry, RegistryError, Status};
use myna_zengin::{AccountError, AccountKind::Ordinary};

#[tokio::test]
async fn accounts_are_checked_at_the_source() {
    for url in myna_testkit::fresh_urls().await {
        let r = Registry::open(myna_store::Db::open(&url).await.unwrap()).await.unwrap();
        let taro = ("0001", "001", Ordinary, "1234567", "ヤマダ タロウ");
        let a = r.register("c-taro", taro, "ヤマダ タロウ", &Channel::Portal, 1).await.unwrap();
        assert_eq!((a.status, a.account.holder.as_str()), (Status::Active, "ﾔﾏﾀﾞ ﾀﾛｳ"), "{url}");
        // The same again: nothing new.
        r.register("c-taro", taro, "ヤマダ タロウ", &Channel::Portal, 2).await.unwrap();
        assert_eq!(r.history("c-taro").await.unwrap().len(), 1, "{url}: a retry records nothing");
        // A family member's account under the child's number: the name is not the child's.
        let e = r.register("c-hanako", taro, "ヤマダ ハナコ", &Channel::Portal, 3).await.unwrap_err();
        assert!(matches!(e, RegistryError::Account(AccountError::Holder { .. })), "{url}: {e}");
        // A code that is no bank, a branch that is none.
        let e = r.register("c-x", ("0002", "001", Ordinary, "1", "ア"), "ア", &Channel::Portal, 3).await.unwrap_err();
        assert!(e.to_string().contains("no bank has the code \"0002\""), "{e}");
        let e = r.register("c-x", ("0001", "999", Ordinary, "1", "ア"), "ア", &Channel::Portal, 3).await.unwrap_err();
        assert!(e.to_string().contains("no branch"), "{e}");
        // Another person of the same reading registers the same account: held for review.
        let twin = r.register("c-taro2", taro, "ヤマダ タロウ", &Channel::Portal, 4).await.unwrap();
        assert_eq!(twin.status, Status::Held, "{url}");
        assert_eq!(r.account("c-taro2").await.unwrap().map(|a| a.1), Some(Status::Held));
        // At a bank's counter: only for an account at that bank.
        let bank = Channel::Bank { bank: "0005".into(), consent: "K-1".into() };
        let e = r.register("c-taro", taro, "ヤマダ タロウ", &bank, 5).await.unwrap_err();
        assert!(matches!(e, RegistryError::NotTheBank { .. }), "{url}: {e}");
        let at_bank = ("0005", "001", Ordinary, "7654321", "ﾔﾏﾀﾞ ﾀﾛｳ");
        let changed = r.register("c-taro", at_bank, "ヤマダ タロウ", &bank, 6).await.unwrap();
        assert_eq!((changed.status, changed.account.bank.as_str()), (Status::Active, "0005"));
        r.remove("c-taro", &Channel::Portal, 7).await.unwrap();
        assert!(r.account("c-taro").await.unwrap().is_none());
        assert!(matches!(r.remove("c-taro", &Channel::Portal, 8).await, Err(RegistryError::NotRegistered)));
        let h = r.history("c-taro").await.unwrap();
        let actions: Vec<&str> = h.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(actions, ["registered", "changed", "removed"], "{url}");
        assert!(h[1].2.contains("bank:0005 consent:K-1"), "{url}: the bank and the consent on record");

        // In bulk: one transaction, each answered alone; two of the batch with one account held.
        let shared = ("0009", "001", Ordinary, "5555555", "スズキ イチ");
        let answers = r
            .register_many(
                &[
                    ("c-b1", shared, "スズキ イチ"),
                    ("c-b2", ("0002", "001", Ordinary, "1", "ア"), "ア"),
                    ("c-b3", shared, "スズキ イチ"),
                    ("c-b4", ("0001", "001", Ordinary, "42", "タナカ ミキ"), "タナカ ミキ"),
                ],
                &Channel::Portal,
                9,
            )
            .await
            .unwrap();
        assert!(matches!(answers[1], Err(RegistryError::Account(AccountError::Bank(_)))), "{url}");
        assert_eq!(
            answers[2].as_ref().unwrap().status,
            Status::Held,
            "{url}: the batch's second holder of one account"
        );
        assert_eq!(
            r.account("c-b4").await.unwrap().map(|a| (a.0.number, a.1)),
            Some(("0000042".into(), Status::Active))
        );
        assert!(r.account("c-b2").await.unwrap().is_none());
        // The same person twice in a batch: the last stands.
        let first = ("0001", "001", Ordinary, "111", "タナカ ミキ");
        let second = ("0001", "001", Ordinary, "222", "タナカ ミキ");
        let a = r
            .register_many(&[("c-b4", first, "タナカ ミキ"), ("c-b4", second, "タナカ ミキ")], &Channel::Portal, 10)
            .await
            .unwrap();
        assert!(a.iter().all(Result::is_ok), "{url}");
        assert_eq!(r.account("c-b4").await.unwrap().map(|a| a.0.number), Some("0000222".into()), "{url}");
        assert_eq!(r.history("c-b4").await.unwrap().len(), 2, "{url}: registered, then changed once");
    }
}
