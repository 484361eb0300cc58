import { IsEmail, IsOptional, Length, Max, Min, ArrayMaxSize } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { EMAIL_RULE } from '../../core/principals/email';
import { Provider } from '../common/provider.enum';
import { ServiceAccount } from './service-account.type';

@InputType({ description: "The provider and that provider's fields; each provider reads its own and rejects what it lacks." })
export class CreateServiceAccountInput {
  @Field(() => Provider)
  provider: string;

  @Field(() => String, { nullable: true, description: 'Talend: the account name.' })
  @IsOptional()
  @Length(1, 255)
  name?: string;

  @Field(() => String, { nullable: true, description: 'Alation: the user name.' })
  @IsOptional()
  @Length(1, 255)
  user?: string;

  @Field(() => String, { nullable: true, description: 'Alation, Atlan.' })
  @IsOptional()
  @Length(1, 255)
  displayName?: string;

  @Field(() => String, { nullable: true, description: 'Alation.' })
  @IsOptional()
  @IsEmail({ ...EMAIL_RULE })
  email?: string;

  @Field(() => String, { nullable: true, description: 'Alation.' })
  @IsOptional()
  @Length(0, 255)
  title?: string;

  @Field(() => String, { nullable: true, description: 'Alation: one of the six case-sensitive roles.' })
  @IsOptional()
  @Length(1, 64)
  role?: string;

  @Field(() => String, { nullable: true, description: 'Alation: omit for an SSO user.' })
  @IsOptional()
  @Length(1, 1024)
  password?: string;

  @Field(() => String, { nullable: true, description: 'Atlan.' })
  @IsOptional()
  @Length(0, 4096)
  description?: string;

  @Field(() => [String], { nullable: true, description: 'Atlan: the complete persona set.' })
  @IsOptional()
  @ArrayMaxSize(500)
  personaQualifiedNames?: string[];

  @Field(() => Int, { nullable: true, description: 'Atlan: token validity in seconds.' })
  @IsOptional()
  @Min(-1)
  @Max(409968000)
  validitySeconds?: number;

  @Field(() => [String], { nullable: true, description: 'Talend: permission ids.' })
  @IsOptional()
  @ArrayMaxSize(500)
  permissions?: string[];
}

@ObjectType()
export class CreateServiceAccountPayload {
  @Field(() => ServiceAccount)
  serviceAccount: ServiceAccount;

  @Field(() => String, { nullable: true, description: 'Shown here once and never again; null where the provider issues none.' })
  secret: string | null;
}

@ObjectType()
export class DeleteServiceAccountPayload {
  @Field()
  deletedServiceAccountId: string;

  @Field()
  revokedTokenCount: number;
}

@InputType({ description: "Fields to change; each provider accepts its editable ones. A list given is the complete set." })
export class UpdateServiceAccountInput {
  @Field(() => String, { nullable: true, description: 'Talend: the account name.' })
  @IsOptional()
  @Length(1, 255)
  name?: string;

  @Field(() => String, { nullable: true, description: 'Atlan.' })
  @IsOptional()
  @Length(1, 255)
  displayName?: string;

  @Field(() => String, { nullable: true, description: 'Atlan.' })
  @IsOptional()
  @Length(0, 4096)
  description?: string;

  @Field(() => [String], { nullable: true, description: 'Atlan: the complete persona set; omitted or empty unlinks all, as Atlan does.' })
  @IsOptional()
  @ArrayMaxSize(500)
  personaQualifiedNames?: string[];

  @Field(() => [String], { nullable: true, description: 'Talend: the complete permission set.' })
  @IsOptional()
  @ArrayMaxSize(500)
  permissions?: string[];
}
