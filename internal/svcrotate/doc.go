// Package svcrotate rotates the access key of a service user (CI, deploy bots, apps) into the
// destinations where the service reads it (internal/sink), signed as an admin: the rotation
// engine (internal/engine) with its state in one tag on the IAM user (keys.RotationTag, within
// IAM's 256-character value limit), where every runner, a Lambda included, can read it.
//
// SecretStep is Secrets Manager's rotation function: its four steps are the engine's, split at
// Secrets Manager's seams (createSecret stops after staging; finishSecret runs the rest), each
// for its own token only, idempotently.
package svcrotate
