/** What every database schema is normalised to: one shape, whatever file answered. */
export interface GeoFields {
  continentCode?: string;
  continentName?: string;
  countryIsoCode?: string;
  countryName?: string;
  regionName?: string;
  /** ISO 3166-2: the country and the subdivision's code (`GB-ENG`, `US-CA`). */
  regionIsoCode?: string;
  cityName?: string;
  postalCode?: string;
  latitude?: number;
  longitude?: number;
  accuracyRadiusKm?: number;
  timezone?: string;
  asNumber?: number;
  asOrganization?: string;
}
