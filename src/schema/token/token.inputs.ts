import { IsOptional, IsUUID, Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Provider } from '../common/provider.enum';
import { AccessToken, RefreshToken } from './token.types';

@InputType()
export class CreateRefreshTokenInput {
  @Field(() => Provider, { nullable: true, description: "Defaults to the account's, else the caller's provider." })
  @IsOptional()
  provider?: string;

  @Field(() => ID, { nullable: true, description: 'Whose token; defaults to the caller.' })
  @IsOptional()
  @IsUUID()
  serviceAccountId?: string;

  @Field({ description: 'Any name; a principal may hold several refresh tokens.' })
  @Length(1, 255)
  name: string;

  @Field(() => String, { nullable: true, description: "Alation: the user's name, with `password`, instead of a signed-in caller." })
  @IsOptional()
  @Length(1, 255)
  username?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 1024)
  password?: string;
}

@ObjectType()
export class CreateRefreshTokenPayload {
  @Field(() => RefreshToken)
  refreshToken: RefreshToken;

  @Field({ description: 'Shown here once and never again.' })
  secret: string;
}

@InputType()
export class CreateAccessTokenInput {
  @Field(() => ID, { nullable: true, description: 'The refresh token to mint from (two-step providers).' })
  @IsOptional()
  @IsUUID()
  refreshTokenId?: string;

  @Field(() => ID, { nullable: true, description: 'Whose token, for providers that issue access tokens directly.' })
  @IsOptional()
  @IsUUID()
  serviceAccountId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 255)
  name?: string;

  @Field(() => Boolean, { nullable: true, description: "Replace the refresh token's current access token, revoking it." })
  @IsOptional()
  regenerate?: boolean;
}

@ObjectType()
export class CreateAccessTokenPayload {
  @Field(() => AccessToken)
  accessToken: AccessToken;

  @Field({ description: 'Shown here once and never again.' })
  secret: string;
}

@ObjectType()
export class RevokeTokenPayload {
  @Field(() => RefreshToken, { nullable: true })
  refreshToken: RefreshToken | null;

  @Field(() => AccessToken, { nullable: true })
  accessToken: AccessToken | null;

  @Field(() => [ID], { description: 'Every token this revocation ended (a refresh token takes its access tokens).' })
  revokedIds: string[];
}

@ObjectType()
export class RevokeTokensPayload {
  @Field(() => [ID], { description: 'Every token this revocation ended; empty when none was active.' })
  revokedIds: string[];
}
