import { randomInt } from 'node:crypto';
import type { SetHumanEmail } from '@zitadel/proto/zitadel/user/v2/email_pb.js';
import type { IDPLink } from '@zitadel/proto/zitadel/user/v2/idp_pb.js';
import type { HashedPassword, Password, SetPassword } from '@zitadel/proto/zitadel/user/v2/password_pb.js';
import type { SetHumanPhone } from '@zitadel/proto/zitadel/user/v2/phone_pb.js';
import type { SetHumanProfile } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { Code, requireText, validationError, zitadelError } from './errors.js';
import { newId } from './ids.js';
import type { PasswordRules } from './passwords.js';
import type { StoredPassword, StoredUser, ZitadelState } from './state.js';

/**
 * ZITADEL's rules for human users (internal/command/user_human.go, user_v2_human.go), shared by CreateUser,
 * the deprecated AddHumanUser and the user creation that follows an IdP intent.
 */

export type PasswordChoice =
  | { case: 'password'; value: Password }
  | { case: 'hashedPassword'; value: HashedPassword }
  | { case: undefined; value?: undefined };

export interface NewHuman {
  readonly orgId: string;
  readonly userId?: string;
  readonly username?: string;
  readonly profile?: SetHumanProfile;
  readonly email?: SetHumanEmail;
  readonly phone?: SetHumanPhone;
  readonly password: PasswordChoice;
  readonly idpLinks: readonly IDPLink[];
  readonly metadata: readonly { key: string; value: Uint8Array }[];
}

export interface CreatedHuman {
  readonly user: StoredUser;
  readonly emailCode?: string;
  readonly phoneCode?: string;
}

// domain.EmailAddress.Validate
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function validateEmail(address: string): void {
  if (address === '') throw zitadelError(Code.InvalidArgument, 'EMAIL-spblu', 'Errors.User.Email.Empty');
  if (!EMAIL.test(address)) throw zitadelError(Code.InvalidArgument, 'EMAIL-599BI', 'Errors.User.Email.Invalid');
}

function verificationCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

export class Users {
  constructor(
    private readonly state: ZitadelState,
    private readonly passwords: PasswordRules,
  ) {}

  async create(input: NewHuman): Promise<CreatedHuman> {
    // Message validation (protoc-gen-validate) comes first.
    if (!input.profile) throw validationError('Profile', 'value is required');
    if (!input.email) throw validationError('Email', 'value is required');
    requireText(input.profile.givenName, 'SetHumanProfile.GivenName');
    requireText(input.profile.familyName, 'SetHumanProfile.FamilyName');
    requireText(input.email.email, 'SetHumanEmail.Email');
    if (input.username !== undefined) requireText(input.username, 'Username');

    // AddHuman.Validate: email, username (the email when absent), names, metadata, hash encoding.
    const email = input.email.email.trim();
    validateEmail(email);
    const username = (input.username || email).trim();
    if (username === '') throw zitadelError(Code.InvalidArgument, 'V2-zzad3', 'Errors.Invalid.Argument');
    const givenName = input.profile.givenName.trim();
    if (givenName === '') throw zitadelError(Code.InvalidArgument, 'USER-UCej2', 'Errors.User.Profile.FirstNameEmpty');
    const familyName = input.profile.familyName.trim();
    if (familyName === '') throw zitadelError(Code.InvalidArgument, 'USER-4hB7d', 'Errors.User.Profile.LastNameEmpty');
    for (const entry of input.metadata) {
      if (entry.key.trim() === '') throw zitadelError(Code.InvalidArgument, 'USER-Drght', 'Errors.User.Metadata.KeyEmpty');
      if (entry.value.length === 0) throw zitadelError(Code.InvalidArgument, 'USER-Dbgth', 'Errors.User.Metadata.ValueEmpty');
    }
    let password: StoredPassword | undefined;
    if (input.password.case === 'hashedPassword') {
      password = this.passwords.importHash(input.password.value.hash, input.password.value.changeRequired);
    }

    const id = input.userId || newId();
    if (this.state.users.has(id)) throw zitadelError(Code.FailedPrecondition, 'COMMAND-7yiox1isql', 'Errors.User.AlreadyExisting');
    this.state.requireOrg(input.orgId);
    if (input.password.case === 'password') {
      password = await this.passwords.hashNew(input.password.value.password, input.password.value.changeRequired);
    }
    for (const link of input.idpLinks) {
      // addLink: the IdP must exist on the organization or the instance.
      if (!this.state.idpVisibleTo(input.orgId, link.idpId)) throw zitadelError(Code.FailedPrecondition, 'COMMAND-39nf2', 'Errors.IDPConfig.NotExisting');
    }
    // Unique constraints are checked when the events are pushed (eventstore: AlreadyExists, V3-DKcz5).
    if (this.state.usernameOwner(username)) throw zitadelError(Code.AlreadyExists, 'V3-DKcz5', 'Errors.User.AlreadyExists');
    for (const link of input.idpLinks) this.assertLinkFree(link.idpId, link.userId, input.idpLinks);

    const now = new Date();
    const profile = input.profile;
    const user: StoredUser = {
      id,
      orgId: input.orgId,
      username,
      createdAt: now,
      changedAt: now,
      sequence: this.state.nextSequence(),
      profile: {
        givenName,
        familyName,
        nickName: profile.nickName ?? '',
        // AddHuman.ensureDisplayName
        displayName: profile.displayName?.trim() || `${givenName} ${familyName}`,
        preferredLanguage: profile.preferredLanguage || 'und',
        gender: profile.gender ?? 0,
      },
      email: { address: email, verified: input.email.verification.case === 'isVerified' && input.email.verification.value },
      idpLinks: input.idpLinks.map((link) => ({ idpId: link.idpId, userId: link.userId, userName: link.userName })),
      metadata: new Map(input.metadata.map((entry) => [entry.key.trim(), { value: entry.value, createdAt: now, changedAt: now }])),
      passwordChecks: { succeeded: 0, failed: 0 },
      ...(password ? { password } : {}),
    };
    if (input.phone?.phone) user.phone = { number: input.phone.phone, verified: input.phone.verification.case === 'isVerified' && input.phone.verification.value };
    this.state.users.set(id, user);
    const emailCode = this.emailCode(user, input.email);
    const phoneCode = input.phone ? this.phoneCode(user, input.phone) : undefined;
    return { user, ...(emailCode ? { emailCode } : {}), ...(phoneCode ? { phoneCode } : {}) };
  }

  changeUsername(user: StoredUser, username: string): void {
    requireText(username, 'Username');
    const owner = this.state.usernameOwner(username);
    if (owner && owner.id !== user.id) throw zitadelError(Code.AlreadyExists, 'V3-DKcz5', 'Errors.User.AlreadyExists');
    user.username = username;
  }

  /** Only the fields given change; given and family name may not become empty. */
  changeProfile(user: StoredUser, profile: Partial<StoredUser['profile']>): void {
    if (profile.givenName !== undefined && profile.givenName.trim() === '') throw zitadelError(Code.InvalidArgument, 'USER-UCej2', 'Errors.User.Profile.FirstNameEmpty');
    if (profile.familyName !== undefined && profile.familyName.trim() === '') throw zitadelError(Code.InvalidArgument, 'USER-4hB7d', 'Errors.User.Profile.LastNameEmpty');
    const next = { ...user.profile };
    for (const field of ['givenName', 'familyName', 'nickName', 'displayName', 'preferredLanguage'] as const) {
      const value = profile[field];
      if (value !== undefined) next[field] = value.trim();
    }
    if (profile.gender !== undefined) next.gender = profile.gender;
    user.profile = next;
  }

  /** changeUserEmail: a new address is verified at once or gets a verification code. */
  changeEmail(user: StoredUser, email: SetHumanEmail): string | undefined {
    const address = email.email.trim();
    validateEmail(address);
    const verified = email.verification.case === 'isVerified' && email.verification.value;
    if (address !== user.email.address) {
      user.email = { address, verified };
      return verified ? undefined : this.emailCode(user, email);
    }
    if (verified) user.email = { address, verified: true };
    return undefined;
  }

  changePhone(user: StoredUser, phone: SetHumanPhone): string | undefined {
    if (phone.phone === '' || phone.phone === user.phone?.number) return undefined;
    user.phone = { number: phone.phone, verified: phone.verification.case === 'isVerified' && phone.verification.value };
    return this.phoneCode(user, phone);
  }

  /** SetPassword: with no verification the caller's permission suffices (the PAT's service user has it). */
  async setPassword(user: StoredUser, set: Pick<SetPassword, 'passwordType' | 'verification'>): Promise<void> {
    if (set.passwordType.case === undefined) throw zitadelError(Code.InvalidArgument, 'COMMAND-3klek4sbns', 'Errors.User.Password.Empty');
    const { passwordType } = set;
    const imported = passwordType.case === 'hashedPassword' ? this.passwords.importHash(passwordType.value.hash, passwordType.value.changeRequired, 'USER-oz74onzvqr') : undefined;
    if (set.verification.case === 'verificationCode') this.consumeResetCode(user, set.verification.value);
    if (set.verification.case === 'currentPassword') {
      const ok = user.password && (await this.passwords.verify(user.password, set.verification.value));
      if (!ok) throw zitadelError(Code.InvalidArgument, 'COMMAND-3M0fs', 'Errors.User.Password.Invalid');
    }
    user.password = passwordType.case === 'password' ? await this.passwords.hashNew(passwordType.value.password, passwordType.value.changeRequired) : imported;
  }

  requestPasswordReset(user: StoredUser, medium: 'sendLink' | 'returnCode', urlTemplate?: string): string {
    const code = verificationCode();
    this.state.passwordResets.push({ userId: user.id, medium, code, ...(urlTemplate ? { urlTemplate } : {}), at: new Date() });
    return code;
  }

  addLink(user: StoredUser, link: IDPLink): void {
    if (!this.state.idpVisibleTo(user.orgId, link.idpId)) throw zitadelError(Code.FailedPrecondition, 'COMMAND-39nf2', 'Errors.IDPConfig.NotExisting');
    this.assertLinkFree(link.idpId, link.userId, []);
    user.idpLinks.push({ idpId: link.idpId, userId: link.userId, userName: link.userName });
  }

  removeLink(user: StoredUser, idpId: string, linkedUserId: string): void {
    const index = user.idpLinks.findIndex((link) => link.idpId === idpId && link.userId === linkedUserId);
    if (index < 0) throw zitadelError(Code.NotFound, 'COMMAND-1M9xR', 'Errors.User.ExternalIDP.NotFound');
    user.idpLinks.splice(index, 1);
  }

  touch(user: StoredUser): Date {
    user.changedAt = new Date();
    user.sequence = this.state.nextSequence();
    return user.changedAt;
  }

  /** An (idpId, external user id) pair belongs to one ZITADEL user (unique constraint `external_idps`). */
  private assertLinkFree(idpId: string, externalUserId: string, sameRequest: readonly IDPLink[]): void {
    const twice = sameRequest.filter((link) => link.idpId === idpId && link.userId === externalUserId).length > 1;
    if (twice || this.state.linkOwner(idpId, externalUserId)) {
      throw zitadelError(Code.AlreadyExists, 'V3-DKcz5', 'Errors.User.ExternalIDP.AlreadyExists');
    }
  }

  private consumeResetCode(user: StoredUser, code: string): void {
    const latest = this.state.passwordResets.filter((reset) => reset.userId === user.id).at(-1);
    if (!latest) throw zitadelError(Code.FailedPrecondition, 'COMMAND-2M9fs', 'Errors.User.Code.NotFound');
    if (latest.code !== code) throw zitadelError(Code.InvalidArgument, 'CODE-woT0xc', 'Errors.User.Code.Invalid');
  }

  /** An unverified address gets a code: sent by ZITADEL, or returned to the caller with `returnCode`. */
  private emailCode(user: StoredUser, email: SetHumanEmail): string | undefined {
    if (user.email.verified) return undefined;
    const code = verificationCode();
    const delivery = email.verification.case === 'returnCode' ? 'return' : 'send';
    const urlTemplate = email.verification.case === 'sendCode' ? email.verification.value.urlTemplate : undefined;
    this.state.verificationCodes.push({ userId: user.id, kind: 'email', address: user.email.address, delivery, code, ...(urlTemplate ? { urlTemplate } : {}), at: new Date() });
    return delivery === 'return' ? code : undefined;
  }

  private phoneCode(user: StoredUser, phone: SetHumanPhone): string | undefined {
    if (!user.phone || user.phone.verified) return undefined;
    const code = verificationCode();
    const delivery = phone.verification.case === 'returnCode' ? 'return' : 'send';
    this.state.verificationCodes.push({ userId: user.id, kind: 'phone', address: user.phone.number, delivery, code, at: new Date() });
    return delivery === 'return' ? code : undefined;
  }
}
