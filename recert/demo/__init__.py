"""The demo data set (`recert demo`): people, their credits and renewals, as data with dates
relative to today. Loading it twice changes nothing."""
