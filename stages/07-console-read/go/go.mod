module unigornel/stage01

go 1.19
