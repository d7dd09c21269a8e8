//! Help texts, usage lines and `Display`.

use super::error::Names;
use super::help::usage;
use super::test_support::{ctx, ctx_custom, snapshot};
use super::{deploy_help, hold_help, parse_deploy, Form};

#[test]
fn help_default_names() {
    snapshot("help_deploy_default", &deploy_help(&ctx()));
    snapshot("help_hold_default", &hold_help(&ctx()));
}

#[test]
fn help_custom_names() {
    snapshot("help_deploy_custom", &deploy_help(&ctx_custom()));
    snapshot("help_hold_custom", &hold_help(&ctx_custom()));
}

#[test]
fn help_without_environments() {
    let ctx = super::CommandContext {
        environments: &[],
        ..ctx()
    };
    snapshot(
        "help_without_environments",
        &format!("{}\n\n{}", deploy_help(&ctx), hold_help(&ctx)),
    );
}

#[test]
fn usage_of_every_form() {
    let ctx = ctx_custom();
    let names = Names::from(&ctx);
    let forms = [
        Form::Deploy,
        Form::DeployRequest,
        Form::DeployEmergency,
        Form::DeployDone,
        Form::DeployFailed,
        Form::DeployCancel,
        Form::DeployStatus,
        Form::DeployVersions,
        Form::DeployHistory,
        Form::DeployWindows,
        Form::DeployDiff,
        Form::Hold,
        Form::HoldCreate,
        Form::HoldList,
        Form::HoldRelease,
    ];
    let text: String = forms
        .iter()
        .map(|form| format!("{form:?}:\n{}\n\n", usage(*form, &names)))
        .collect();
    snapshot("usage_every_form", &text);
}

#[test]
fn display_uses_default_names() {
    let err = parse_deploy("stauts", &ctx_custom()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "I don't understand `stauts`. Did you mean `/deploy status`?"
    );
    assert_eq!(
        err.message(&ctx_custom()),
        "I don't understand `stauts`. Did you mean `/ship status`?"
    );
}
