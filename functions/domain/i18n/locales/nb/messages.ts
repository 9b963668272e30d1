/** En melding de ansatte skriver til den registrerte fra konsollen (notifications/staff-message.ts). */
import type { messages as en } from '../en/messages.ts';

export const messages: Record<keyof typeof en, string> = {
  'mail.staffMessage.subject': 'En melding om forespørselen din {requestId}',
  'mail.staffMessage.question.subject': 'Et spørsmål om forespørselen din {requestId}',
  'mail.staffMessage.greeting': 'Hei,',
  'mail.staffMessage.intro': 'De som behandler forespørselen din om {type} ({requestId}), har skrevet til deg:',
  'mail.staffMessage.question.intro': 'For å komme videre med forespørselen din om {type} ({requestId}) trenger de som behandler den, et svar fra deg:',
  'mail.staffMessage.answer':
    'Du kan svare på siden for forespørselen din: åpne lenken i e-posten der vi bekreftet at vi hadde mottatt forespørselen. Det du skriver der, leses bare av dem som behandler forespørselen din.',
};
