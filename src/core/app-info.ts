// Name and version written into every file's `created_by` attribute and the results JSON.
export const APP_NAME = 'h5squeeze';
export const APP_VERSION = '0.1.0';
