export {
  startStepFunctionsEndpoint,
  type InvokeFunction,
  type LocalStateMachine,
  type StepFunctionsEndpoint,
  type StepFunctionsEndpointOptions,
} from './endpoint.ts';
