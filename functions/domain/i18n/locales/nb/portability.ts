/** Avslutningsbrevet for en forespørsel om dataportabilitet når vi bare har utledede opplysninger om den registrerte. */
import type { portability as en } from '../en/portability.ts';

export const portability: Record<keyof typeof en, string> = {
  'nothingPortable.subject': 'Ingen opplysninger å utlevere for dataportabilitet ({reference})',
  'nothingPortable.result':
    'Retten til dataportabilitet gjelder personopplysningene du har gitt oss, og opplysningene som er registrert når du har brukt tjenestene våre. Vi fant ingen slike opplysninger om deg. Vi har derfor ikke noe å sende deg, og det kommer ingen nedlasting.',
  'nothingPortable.inferred':
    'Det vi har om deg, er opplysninger vi selv har utledet eller beregnet (for eksempel våre anslag over hvordan du bruker tjenesten). Dataportabilitet omfatter ikke slike opplysninger, men du kan se dem, sammen med hva vi bruker dem til, hvor lenge vi oppbevarer dem og hvem som mottar dem, ved å be om innsyn i opplysningene dine.',
};
