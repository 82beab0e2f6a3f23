import { Inject } from '@nestjs/common';
import { PASSWORD_RESET_OPTIONS } from './password-reset.constants.js';

/** Injects the resolved options (`ResolvedPasswordResetOptions`: defaults merged, checked), e.g. in a custom store. */
export const InjectPasswordResetOptions = (): ParameterDecorator & PropertyDecorator => Inject(PASSWORD_RESET_OPTIONS);
