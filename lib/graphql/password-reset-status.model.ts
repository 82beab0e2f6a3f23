import { Field, ObjectType } from '@nestjs/graphql';

/** What each mutation answers, as the REST endpoints' body: `status` is always "OK". */
@ObjectType('PasswordResetStatus')
export class PasswordResetStatusModel {
  @Field(() => String, { description: 'Always "OK"; every failure is a GraphQL error.' })
  status: 'OK';

  @Field(() => String, { nullable: true, description: 'validatePasswordResetToken with userDetailsOnValidation only' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'validatePasswordResetToken with userDetailsOnValidation only' })
  email?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'validatePasswordResetToken with secondFactorOnValidation: confirm will need the second factor',
  })
  secondFactorRequired?: true;
}
