"""A Salesforce-compatible REST subset: SOQL query/queryAll with queryMore paging and sObject CRUD."""
